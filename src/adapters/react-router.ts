import { createContext, data, type MiddlewareFunction, type RouterContext, type RouterContextProvider } from "react-router";
import type { SessionManager } from "../core/manager.js";
import { SessionStoreError } from "../core/errors.js";
import type { Session } from "../core/session.js";
import type { SessionData } from "../core/session-data.js";
import { fetchSessions, type FetchSessionOptions } from "./fetch.js";
import { isUnhandledError } from "./shared/failed-request.js";
import { ownSession } from "./shared/own-session.js";

/**
 * Options of {@link reactRouterSession}: `storeOutage`, a policy or a
 * function of the `Request`, and `trustProxy` (addresses need the peer's,
 * which React Router's middleware does not see: use a number of proxies).
 */
export type ReactRouterSessionOptions = Omit<FetchSessionOptions, "onError">;

/**
 * The router context key of the request's session, typed by the app-wide
 * `SessionData`: `context.get(sessionContext)` in loaders, actions and
 * middleware below {@link reactRouterSession}.
 */
export const sessionContext: RouterContext<Session<SessionData>> = createContext<Session<SessionData>>();

/**
 * `context.get(sessionContext)` typed with a manager's own data type `D`,
 * for apps that use `createSessionManager<D>()` instead of the app-wide
 * `SessionData`. With two managers' middleware it is the last one's
 * session; the middleware's own `session(context)` is each one's.
 *
 * @example
 * ```ts
 * export const loader = ({ context }: Route.LoaderArgs) => sessionOf<CartData>(context).data.items ?? [];
 * ```
 */
export function sessionOf<D extends object>(context: Readonly<RouterContextProvider>): Session<D> {
  return context.get(sessionContext) as unknown as Session<D>;
}

/** The middleware, plus a typed accessor for apps that use a generic instead of `SessionData`. */
export interface ReactRouterSessionMiddleware<D extends object> extends MiddlewareFunction<Response> {
  /**
   * The request's session typed with the manager's data type `D`: this
   * middleware's own, also when another manager's runs after it
   * (`context.get(sessionContext)` is then the last one's).
   *
   * @example `export const loader = ({ context }: Route.LoaderArgs) => carts.session(context).data.items ?? [];` (`carts` being this middleware)
   */
  session(context: Readonly<RouterContextProvider>): Session<D>;
}

/**
 * A store failure as a thrown 503 response, which React Router renders
 * with the nearest `ErrorBoundary` (`isRouteErrorResponse(error)`, status
 * 503, `error.data` the message). Anything else goes on unchanged.
 */
function toRouteError(error: unknown): unknown {
  return error instanceof SessionStoreError ? data(error.message, { status: error.status, statusText: "Service Unavailable" }) : error;
}

/**
 * React Router 7 server middleware (framework mode, `future.v8_middleware`):
 * loads the request's session into the router context (read it with
 * `context.get(sessionContext)` in loaders and actions) and, once the
 * route's response exists (a page, a redirect thrown or returned by an
 * action, a resource route's response), commits it and adds its
 * Set-Cookie to that response, so the page a redirect leads to already
 * sees the change. A 5xx response (a loader or action that threw renders
 * its error boundary with 500) has its changes discarded and no new
 * session cookie; a thrown `data(..., { status: 4xx })` is a deliberate
 * answer and keeps them.
 *
 * Store failures, at load or commit, are thrown as a 503 route error
 * response for the `ErrorBoundary` to render, unless `storeOutage` lets the
 * request go on anonymously. A streamed body renders after the commit:
 * change the session in loaders and actions, not while rendering.
 *
 * @example
 * ```ts
 * // app/root.tsx (react-router.config.ts: future: { v8_middleware: true })
 * import { reactRouterSession, sessionContext } from "tessera-session/react-router";
 * export const middleware = [reactRouterSession(sessions)];
 * // app/routes/home.tsx
 * export function loader({ context }: Route.LoaderArgs) {
 *   return { username: context.get(sessionContext).data.username };
 * }
 * ```
 */
export function reactRouterSession<D extends object>(manager: SessionManager<D>, options: ReactRouterSessionOptions = {}): ReactRouterSessionMiddleware<D> {
  const tessera = fetchSessions(manager, options);
  const own = ownSession<Readonly<RouterContextProvider>, D>((context) => context.get(sessionContext));
  const middleware: MiddlewareFunction<Response> = async ({ request, context }, next) => {
    let session: Session<D>;
    try {
      session = await tessera.load(request);
    } catch (error) {
      throw toRouteError(error);
    }
    context.set(sessionContext, session as unknown as Session<SessionData>);
    own.keep(context, session);
    let response: Response;
    try {
      response = await next();
    } catch (error) {
      // A thrown error the router did not turn into a response: what a failed (or 4xx) request's session may carry goes nowhere, but its changes are kept or discarded by the same rule.
      await tessera.commitHeaders(session, new Headers(), { failed: isUnhandledError(error) }).catch(() => undefined);
      throw error;
    }
    try {
      return await tessera.commit(session, response);
    } catch (error) {
      throw toRouteError(error);
    }
  };
  return Object.assign(middleware, { session: own.read });
}

export type { TrustProxy } from "./shared/trust-proxy.js";
