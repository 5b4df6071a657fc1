import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { SessionManager } from "../core/manager.js";
import { SessionStoreError } from "../core/errors.js";
import type { Session } from "../core/session.js";
import type { SessionData } from "../index.js";
import { forwardedHttps } from "./shared/forwarded.js";

declare module "hono" {
  interface ContextVariableMap {
    /** This request's Tessera session, typed by the app-wide `SessionData`. */
    session: Session<SessionData>;
  }
}

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

/** Options of {@link honoSession}. */
export interface HonoSessionOptions {
  /**
   * Trust the `X-Forwarded-Proto` header to tell whether the client used
   * HTTPS (for the cookie's Secure attribute with `secure: "auto"`). Hono has
   * no proxy setting of its own; turn this on only behind a proxy that sets
   * the header. Without it, the request URL's scheme decides. Default `false`.
   */
  trustProxy?: boolean;
}

/**
 * Wraps a store failure in Hono's `HTTPException`, so Hono's default error
 * handler answers with its status (503); the original error stays on `cause`.
 */
function toHttpException(error: unknown): unknown {
  if (!(error instanceof SessionStoreError)) return error;
  return new HTTPException(error.status, { message: error.message, cause: error });
}

/**
 * Hono middleware that loads the request's session (`c.get("session")`) and
 * commits it after `await next()`, before the response is handed to the
 * server (a redirect, a stream...): Set-Cookie is attached and the write is
 * done when the client sees the response. Error responses commit too.
 *
 * Store failures go to Hono's error path (`app.onError`) as an
 * `HTTPException` with status 503 whose `cause` is the `SessionStoreError`.
 * A stream's callback runs after the commit: change the session before
 * returning the streamed response.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { honoSession } from "tessera/hono";
 * const app = new Hono();
 * app.use(honoSession(sessions));
 * app.get("/", (c) => c.text(`Hello ${c.get("session").data.username ?? "stranger"}`));
 * ```
 */
export function honoSession<D extends object>(
  manager: SessionManager<D>,
  options: HonoSessionOptions = {},
): MiddlewareHandler<HonoSessionEnv<D>> {
  const trustProxy = options.trustProxy ?? false;
  const isHttps = (c: Context): boolean =>
    c.req.url.startsWith("https:") || (trustProxy && forwardedHttps(c.req.header("x-forwarded-proto")));

  return async (c, next) => {
    let session: Session<D>;
    try {
      session = await manager.load({ cookieHeader: c.req.header("cookie"), secure: isHttps(c) });
    } catch (error) {
      throw toHttpException(error);
    }
    c.set("session", session);
    await next();
    let cookie: string | undefined;
    try {
      cookie = await manager.commit(session);
    } catch (error) {
      // Drop the route's response so its headers (a redirect, a cookie)
      // are not merged into the error page: they claim a success that was
      // not stored.
      c.res = undefined;
      throw toHttpException(error);
    }
    if (cookie !== undefined) c.header("Set-Cookie", cookie, { append: true });
  };
}

export { honoCsrf, type HonoCsrfOptions } from "./csrf/hono.js";
