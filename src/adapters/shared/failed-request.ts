/**
 * The rule every adapter applies to decide whether a request "failed", so
 * that its session changes are discarded (unless the manager's
 * `commitOnError` is on): it ended in an unhandled error or a 5xx
 * response. An error that carries a 4xx status (an HTTP error such as
 * Koa's `ctx.throw(401)` or Hono's `HTTPException(403)`) is a deliberate
 * answer, as in Django, whose `Http404` responses still save the session.
 */

import type { RequestOutcome } from "../../core/manager.js";

/**
 * The status a framework answers a thrown error with: its `status` (or
 * `statusCode`) when that is an error status (400-599), otherwise 500.
 *
 * @example
 * ```ts
 * errorStatus(Object.assign(new Error("no"), { status: 401 })); // 401
 * errorStatus(new Error("boom")); // 500
 * ```
 */
export function errorStatus(error: unknown): number {
  const carrier = (error ?? {}) as { status?: unknown; statusCode?: unknown };
  const status = carrier.status ?? carrier.statusCode;
  return typeof status === "number" && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

/**
 * Whether a response with this status is a failure whose session changes
 * must not be committed: a 5xx.
 *
 * @example
 * ```ts
 * isServerError(res.statusCode); // true for 500, 503...
 * ```
 */
export function isServerError(status: number): boolean {
  return status >= 500;
}

/**
 * Whether an error a handler threw makes its request a failure: one the
 * framework answers with a 5xx (any error without a 4xx status).
 *
 * @example
 * ```ts
 * try { await next(); } catch (error) { failed = isUnhandledError(error); throw error; }
 * ```
 */
export function isUnhandledError(error: unknown): boolean {
  return isServerError(errorStatus(error));
}

/**
 * The "failed" every adapter passes to `manager.commit()` at the request's
 * end: the app threw an unhandled error (see {@link isUnhandledError}),
 * whatever the error handler then answered, or the response is a 5xx.
 *
 * @example
 * ```ts
 * const failed = isFailedRequest(c.error !== undefined && isUnhandledError(c.error), c.res.status);
 * ```
 */
export function isFailedRequest(threwUnhandledError: boolean, status: number): boolean {
  return threwUnhandledError || isServerError(status);
}

const FAILED: RequestOutcome = Object.freeze({ failed: true });
const SUCCEEDED: RequestOutcome = Object.freeze({ failed: false });

/**
 * {@link isFailedRequest} as the manager's `RequestOutcome`: one of two
 * shared objects, so the hot path of every request allocates none.
 *
 * @example
 * ```ts
 * await manager.commitResponse(session, requestOutcome(false, res.statusCode));
 * ```
 */
export function requestOutcome(threwUnhandledError: boolean, status: number): RequestOutcome {
  return isFailedRequest(threwUnhandledError, status) ? FAILED : SUCCEEDED;
}
