import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { SessionStoreError } from "../../core/errors.js";

/**
 * Wraps a store failure in Hono's `HTTPException`, so Hono's default error
 * handler answers with its status (503); the original error stays on `cause`.
 *
 * @example
 * ```ts
 * try { session = await manager.load(...); } catch (error) { throw toHttpException(error); }
 * ```
 */
export function toHttpException(error: unknown): unknown {
  if (!(error instanceof SessionStoreError)) return error;
  return new HTTPException(error.status, { message: error.message, cause: error });
}

/**
 * Drops the route's response and the headers it set with `c.header()`
 * (`Location`, the app's own Set-Cookie...), so that an error page built
 * from this context carries only its own headers: the route's would claim
 * a success that was not stored.
 *
 * @example
 * ```ts
 * catch (error) { dropRouteResponse(c); throw toHttpException(error); } // the commit failed
 * ```
 */
export function dropRouteResponse(c: Context): void {
  const names = new Set(c.res.headers.keys()); // the route's response holds the prepared headers too
  c.res = undefined;
  c.finalized = false; // so that c.header() edits the prepared headers, not a response
  for (const name of names) c.header(name, undefined);
}
