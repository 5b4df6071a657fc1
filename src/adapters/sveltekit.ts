import type { Handle, RequestEvent } from "@sveltejs/kit";
import { SessionStoreError } from "../core/errors.js";
import type { SessionManager } from "../core/manager.js";
import type { Session } from "../core/session.js";
// Aliased: inside `namespace App`, a bare `SessionData` would name Astro's own `App.SessionData`.
import type { SessionData as TesseraSessionData } from "../core/session-data.js";
import { fetchSessions } from "./fetch.js";
import { discardResponse, plainErrorResponse } from "./shared/fetch-response.js";
import { localsSession } from "./shared/own-session.js";
import { sveltekitConnectionIsHttps, sveltekitSocket } from "./shared/sveltekit-request.js";
import { storeOutageChooser, type StoreOutageOption } from "./shared/store-outage.js";
import { trustedForwardedHttps, type TrustProxyOption } from "./shared/trust-proxy.js";

declare global {
  // SvelteKit types `event.locals` through the global `App` namespace.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace App {
    interface Locals {
      /** This request's Tessera session, typed by the app-wide `SessionData`. */
      session: Session<TesseraSessionData>;
    }
  }
}

/**
 * Options of {@link sveltekitSession}: `storeOutage` (a policy or a function of
 * the `RequestEvent`), `onStoreError`, and `trustProxy` (adapter-node's
 * `PROTOCOL_HEADER` is not read: behind a TLS proxy, say which to trust).
 */
export interface SvelteKitSessionOptions extends StoreOutageOption<RequestEvent>, TrustProxyOption {
  /**
   * The response when the session could not be loaded or committed (a
   * `SessionStoreError`, 503); default a plain-text 503.
   * The route's own response (Location, cookies) is dropped: it was not stored.
   */
  onStoreError?: (error: SessionStoreError, event: RequestEvent) => Response | Promise<Response>;
}

/** The `handle` hook, plus a typed accessor for apps that use a generic instead of `SessionData`. */
export interface SvelteKitSessionHook<D extends object> extends Handle {
  /**
   * The event's session typed with the manager's data type `D`: this
   * hook's own, also when another manager's runs after it in `sequence()`
   * (`event.locals.session` is then the last one's).
   * @example
   * ```ts
   * export const load = (event) => ({ cart: tessera.session(event).data.cart ?? [] });
   * ```
   */
  session(event: { locals: object }): Session<D>;
}

/**
 * SvelteKit `handle` hook that loads the request's session into
 * `event.locals.session` (for load functions, form actions and `+server`
 * endpoints) and commits it once SvelteKit has built the response, before
 * the response leaves the hook: a form action's redirect carries its
 * Set-Cookie and the write is done when the browser follows it. A 5xx
 * response (an unexpected error anywhere, which SvelteKit answers with 500)
 * has its changes discarded and gets no new session cookie; `error(4xx)`
 * and `redirect()` commit as usual. A streamed body is sent after the
 * commit: change the session before returning the response.
 *
 * It imports nothing of SvelteKit at run time: the app may bundle the kit.
 *
 * @example
 * ```ts
 * // src/hooks.server.ts
 * import { sveltekitSession } from "tessera-session/sveltekit";
 * export const handle = sveltekitSession(sessions, { trustProxy: "loopback" });
 * // src/routes/+page.server.ts
 * export const load = ({ locals }) => ({ username: locals.session.data.username });
 * ```
 */
export function sveltekitSession<D extends object>(manager: SessionManager<D>, options: SvelteKitSessionOptions = {}): SvelteKitSessionHook<D> {
  const viaHttpsProxy = trustedForwardedHttps(options.trustProxy, "sveltekitSession trustProxy");
  const isHttps = (event: RequestEvent): boolean =>
    sveltekitConnectionIsHttps(event) ||
    viaHttpsProxy?.({ peerAddress: sveltekitSocket(event)?.remoteAddress, forwardedFor: event.request.headers.get("x-forwarded-for"), forwardedProto: event.request.headers.get("x-forwarded-proto") }) === true;
  const storeOutageOf = storeOutageChooser<RequestEvent>(options.storeOutage, "sveltekitSession storeOutage");
  const onStoreError = options.onStoreError ?? plainErrorResponse;
  // The commit goes through the fetch entry like every fetch-based adapter's; the load is
  // this hook's own, since adapter-node's request URL says https unless ORIGIN says not.
  const tessera = fetchSessions(manager);
  const own = localsSession<D>();

  const handle: Handle = async ({ event, resolve }) => {
    const { headers } = event.request;
    let session: Session<D>;
    try {
      session = await manager.load({ cookieHeader: headers.get("cookie") ?? undefined, headers: (name) => headers.get(name), secure: isHttps(event), storeOutage: storeOutageOf(event) });
    } catch (error) {
      if (error instanceof SessionStoreError) return onStoreError(error, event);
      throw error;
    }
    own.attach(event.locals, session);
    const response = await resolve(event);
    try {
      return await tessera.commit(session, response); // a 5xx response discards the changes
    } catch (error) {
      discardResponse(response);
      if (error instanceof SessionStoreError) return onStoreError(error, event);
      throw error;
    }
  };
  return Object.assign(handle, { session: own.read });
}

export type { TrustProxy } from "./shared/trust-proxy.js";
export { sveltekitCsrf, type SvelteKitCsrfOptions } from "./csrf/sveltekit.js";
