import type { Context, MiddlewareHandler } from "hono";
import type { SessionManager } from "../core/manager.js";
import type { Session } from "../core/session.js";
import type { SessionData } from "../core/session-data.js";
import { isFailedRequest, isUnhandledError } from "./shared/failed-request.js";
import { dropRouteResponse, toHttpException } from "./shared/hono-errors.js";
import { honoPeerAddress as peerAddress } from "./shared/hono-peer.js";
import { ownSession } from "./shared/own-session.js";
import { storeOutageChooser, type StoreOutageOption } from "./shared/store-outage.js";
import { trustedForwardedHttps, type TrustProxyOption } from "./shared/trust-proxy.js";

declare module "hono" {
  interface ContextVariableMap {
    /** This request's Tessera session, typed by the app-wide `SessionData`. */
    session: Session<SessionData>;
  }
}

/**
 * Options of {@link honoSession}: `storeOutage`, a policy or a function of
 * `c`, and `trustProxy`, since Hono has no proxy setting of its own.
 */
export interface HonoSessionOptions extends StoreOutageOption<Context>, TrustProxyOption {}

/**
 * The Hono environment the middleware provides, for apps that type their
 * session with a generic instead of the app-wide `SessionData`.
 *
 * @example
 * ```ts
 * const app = new Hono<HonoSessionEnv<{ cart: string[] }>>();
 * app.use(honoSession(sessions));
 * app.get("/", (c) => c.json(c.get("session").data.cart ?? []));
 * ```
 */
export interface HonoSessionEnv<D extends object> {
  Variables: { session: Session<D> };
}

/** The Hono middleware, plus a typed accessor for the manager's data type `D`. */
export type HonoSessionMiddleware<D extends object> = MiddlewareHandler<HonoSessionEnv<D>> & {
  /**
   * The context's session typed with the manager's data type `D`: this
   * middleware's own, also when another manager's is mounted after it
   * (`c.get("session")` is then the last one's).
   *
   * @example
   * ```ts
   * const tessera = honoSession(createSessionManager<{ cart: string[] }>({ store }));
   * app.use(tessera);
   * app.get("/", (c) => c.json(tessera.session(c).data.cart ?? []));
   * ```
   */
  session(c: Context): Session<D>;
};

/**
 * Hono middleware that loads the request's session (`c.get("session")`) and
 * commits it after `await next()`, before the response is handed to the
 * server (a redirect, a stream...): Set-Cookie is attached and the write is
 * done when the client sees the response. A request that ends in an
 * unhandled error (`c.error` without a 4xx status) or a 5xx response has
 * its changes discarded and gets no new session cookie (see the manager's
 * `commitOnError`); a failed commit's error page carries none of the
 * route's headers.
 *
 * Store failures go to Hono's error path (`app.onError`) as an
 * `HTTPException` with status 503 whose `cause` is the `SessionStoreError`,
 * unless `storeOutage` lets the request go on anonymously.
 * A stream's callback runs after the commit: change the session before
 * returning the streamed response.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { honoSession } from "tessera-session/hono";
 * const app = new Hono();
 * app.use(honoSession(sessions, { trustProxy: 1 })); // one proxy in front
 * app.get("/", (c) => c.text(`Hello ${c.get("session").data.username ?? "stranger"}`));
 * ```
 */
export function honoSession<D extends object>(manager: SessionManager<D>, options: HonoSessionOptions = {}): HonoSessionMiddleware<D> {
  const viaHttpsProxy = trustedForwardedHttps(options.trustProxy, "honoSession trustProxy");
  const isHttps = (c: Context): boolean =>
    c.req.url.startsWith("https:") ||
    viaHttpsProxy?.({ peerAddress: peerAddress(c), forwardedFor: c.req.header("x-forwarded-for"), forwardedProto: c.req.header("x-forwarded-proto") }) === true;
  const storeOutageOf = storeOutageChooser<Context>(options.storeOutage, "honoSession storeOutage");
  const own = ownSession<Context, D>((c) => c.get("session"));

  const middleware: MiddlewareHandler<HonoSessionEnv<D>> = async (c, next) => {
    let session: Session<D>;
    try {
      const loaded = manager.loadNowOrLater({ cookieHeader: c.req.header("cookie"), headers: (name) => c.req.header(name), secure: isHttps(c), storeOutage: storeOutageOf(c) });
      session = loaded instanceof Promise ? await loaded : loaded;
    } catch (error) {
      throw toHttpException(error);
    }
    c.set("session", session);
    own.keep(c, session);
    await next();
    const failed = isFailedRequest(c.error !== undefined && isUnhandledError(c.error), c.res.status);
    let headers;
    try {
      const committed = manager.commitResponseNowOrLater(session, { failed });
      headers = committed instanceof Promise ? await committed : committed;
    } catch (error) {
      dropRouteResponse(c);
      throw toHttpException(error);
    }
    for (const [name, value] of headers) c.header(name, value, { append: true });
  };
  return Object.assign(middleware, { session: own.read });
}

export type { TrustProxy } from "./shared/trust-proxy.js";
export { honoCsrf, type HonoCsrfOptions } from "./csrf/hono.js";
