import { AsyncLocalStorage } from "node:async_hooks";
import type { SessionManager } from "../core/manager.js";
import type { StoreOutagePolicy } from "../core/options.js";
import type { Session } from "../core/session.js";
import { fetchSessions, type FetchSessionOptions, type FetchSessions } from "./fetch.js";
import { plainErrorResponse } from "./shared/fetch-response.js";
import { checkedStoreOutage } from "./shared/store-outage.js";
import { isUnhandledError } from "./shared/failed-request.js";
import { failsNextRequest, isNextControlFlow, nextCookie } from "./shared/next-outcome.js";

/** Per-route options of {@link NextSessions.route}, {@link NextSessions.action} and {@link NextSessions.getSession}. */
export interface NextRouteOptions {
  /** The store outage policy, over the app's and the manager's: `"anonymous"` lets a page live without its session. */
  storeOutage?: StoreOutagePolicy;
}

/** Options of {@link nextSessions}: the app's `storeOutage` (each wrapper may choose its own) and the route handlers' `onError`. */
export interface NextSessionOptions extends NextRouteOptions, Pick<FetchSessionOptions, "onError"> {}

/** Tessera for the Next.js App Router (Node.js runtime), returned by {@link nextSessions}. */
export interface NextSessions<D extends object> {
  /**
   * The request's session, from `headers()`: in a server component (read
   * only: Next forbids cookies while rendering, so changes are never
   * stored and the expiry does not move), or inside {@link action} and
   * {@link route}, where it is their session. Loaded once per request.
   * @throws SessionStoreError (503) when the store is down, unless the policy is `"anonymous"`.
   */
  getSession(options?: NextRouteOptions): Promise<Session<D>>;
  /** Commits a session through `cookies()` (server actions, route handlers): before `redirect()`, so the redirect carries it. */
  commitSession(session: Session<D>, outcome?: { failed: boolean }): Promise<void>;
  /** A server action with its session, committed when it returns or calls `redirect()`; a crash discards the changes. */
  action<A extends unknown[], R>(fn: (session: Session<D>, ...args: A) => R | Promise<R>, options?: NextRouteOptions): (...args: A) => Promise<R>;
  /** A route handler (or Node.js-runtime `proxy`/middleware) with its session, committed onto its Response (or before a thrown `redirect()`). */
  route<C>(fn: (request: Request, session: Session<D>, context: C) => Response | Promise<Response>, options?: NextRouteOptions): (request: Request, context: C) => Promise<Response>;
}

// At first use: next/headers needs the AsyncLocalStorage Next's server installs (a custom server imports us first).
const requestApi = () => import("next/headers.js");

/** Next's own rule for HTTPS (its request URLs follow it): a TLS socket, for which Next sets the header, or an `X-Forwarded-Proto` that says https. */
const isHttps = (requestHeaders: Headers): boolean => requestHeaders.get("x-forwarded-proto")?.includes("https") === true;

/**
 * Sessions for the Next.js App Router: `getSession()` in server components
 * (read-only), `action(fn)` for server actions, `route(fn)` for route
 * handlers and the Node.js-runtime proxy (middleware). Pages Router API
 * routes are plain node:http: use `tessera-session/node` there.
 *
 * @example
 * ```ts
 * // lib/session.ts
 * import { nextSessions } from "tessera-session/next";
 * export const tessera = nextSessions(sessions);
 * // app/actions.ts ("use server")
 * export const logout = tessera.action(async (session) => { await session.destroy(); redirect("/"); });
 * // app/page.tsx
 * const session = await tessera.getSession();
 * ```
 */
export function nextSessions<D extends object>(manager: SessionManager<D>, options: NextSessionOptions = {}): NextSessions<D> {
  const appPolicy = checkedStoreOutage(options.storeOutage, "nextSessions storeOutage");
  const policyOf = (route?: NextRouteOptions) => checkedStoreOutage(route?.storeOutage, "nextSessions route storeOutage") ?? appPolicy;
  const onError = options.onError ?? plainErrorResponse;
  const current = new AsyncLocalStorage<Session<D>>();
  // The running action's or route's session; else one load per request (Next hands out one headers object per request).
  const loaded = new WeakMap<object, Promise<Session<D>>>();
  const loadFrom = (requestHeaders: Headers, policy: StoreOutagePolicy | undefined, renew: boolean) =>
    manager.load({ cookieHeader: requestHeaders.get("cookie") ?? undefined, headers: (name) => requestHeaders.get(name), secure: isHttps(requestHeaders), storeOutage: policy, renew });

  const tessera: NextSessions<D> = {
    async getSession(route) {
      const running = current.getStore();
      if (running) return running;
      const requestHeaders = await (await requestApi()).headers();
      let session = loaded.get(requestHeaders);
      if (!session) loaded.set(requestHeaders, (session = loadFrom(requestHeaders, policyOf(route), false)));
      return session;
    },
    async commitSession(session, outcome) {
      const jar = await (await requestApi()).cookies();
      // Server actions reach no other header: a header client's token headers stay for route handlers.
      for (const [name, value] of await manager.commitResponse(session, { failed: outcome?.failed ?? false })) {
        if (name === "set-cookie") jar.set(nextCookie(value));
      }
    },
    action: (fn, route) => async (...args) => {
      const session = await loadFrom(await (await requestApi()).headers(), policyOf(route), true);
      let result;
      try {
        result = await current.run(session, () => fn(session, ...args));
      } catch (error) {
        // redirect() throws: its commit must go out with it; a crash discards the changes.
        await tessera.commitSession(session, { failed: failsNextRequest(error) });
        throw error;
      }
      await tessera.commitSession(session);
      return result;
    },
    route: (fn, route) => {
      const sessions: FetchSessions<D> = fetchSessions(manager, { storeOutage: policyOf(route) });
      return async (request, context) => {
        const session = await sessions.load(request).catch(async (error: unknown) => onError(error, request));
        if (session instanceof Response) return session;
        // A failed commit answers a fresh error page: none of the route's headers claim a success.
        const committed = (response: Response, failed = false) => sessions.commit(session, response, { failed }).catch(async (error: unknown) => onError(error, request));
        try {
          return await committed(await current.run(session, () => fn(request, session, context)));
        } catch (error) {
          if (!isNextControlFlow(error)) return committed(await onError(error, request), isUnhandledError(error));
          await tessera.commitSession(session, { failed: failsNextRequest(error) }).catch(() => undefined);
          throw error; // Next answers redirect() (carrying the cookies() commit) and notFound()
        }
      };
    },
  };
  return tessera;
}
