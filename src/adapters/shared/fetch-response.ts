import type { ResponseHeader } from "../../core/token-response.js";
import { errorStatus } from "./failed-request.js";

/**
 * The error page of a fetch handler with no framework to answer errors
 * (the fetch adapter's default `onError`): the error's own 4xx/5xx
 * `status` (503 for a `SessionStoreError`, 403 for a `CsrfError`),
 * otherwise 500, as plain text.
 *
 * @example
 * ```ts
 * plainErrorResponse(new Error("boom")).status; // 500
 * ```
 */
export function plainErrorResponse(error: unknown): Response {
  const status = errorStatus(error);
  const text = status === 503 ? "Service Unavailable" : status >= 500 ? "Internal Server Error" : "Error";
  return new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/**
 * The response with `headers` appended one by one (several Set-Cookie stay
 * several): the same object, or a copy with the same status, headers and
 * body when its own headers are immutable (`Response.redirect()`, a
 * `fetch()` answer), since Headers throw a TypeError there.
 *
 * @example
 * ```ts
 * return appendHeaders(Response.redirect(new URL("/", request.url), 303), [["set-cookie", cookie]]);
 * ```
 */
export function appendHeaders(response: Response, headers: readonly ResponseHeader[]): Response {
  if (headers.length === 0) return response;
  let target = response;
  try {
    response.headers.append(headers[0]![0], headers[0]![1]);
  } catch {
    target = new Response(response.body, response);
    target.headers.append(headers[0]![0], headers[0]![1]);
  }
  for (const [name, value] of headers.slice(1)) target.headers.append(name, value);
  return target;
}

/**
 * Drops a response the app built but that will not be sent (its commit
 * failed, so an error page replaces it): cancels its body, so a stream's
 * producer stops instead of running on for nobody.
 *
 * @example
 * ```ts
 * discardResponse(response);
 * return onStoreError(error, event);
 * ```
 */
export function discardResponse(response: Response): void {
  if (response.body !== null && !response.bodyUsed) response.body.cancel().catch(() => undefined);
}
