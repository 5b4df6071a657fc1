import type { ResponseHeader } from "../../core/token-response.js";

/**
 * Appends a commit's headers (Set-Cookie, a header client's token headers)
 * to a web `Response`, for the adapters of fetch-based frameworks
 * (SvelteKit, Astro). A response whose headers are immutable (one returned
 * by `fetch()`, or `Response.redirect()`) is copied first, body untouched,
 * since throwing there would lose the committed session's cookie.
 *
 * @example
 * ```ts
 * return withResponseHeaders(response, responseHeaders(session, await manager.commit(session)));
 * ```
 */
export function withResponseHeaders(response: Response, headers: readonly ResponseHeader[]): Response {
  if (headers.length === 0) return response;
  let target = response;
  try {
    for (const [name, value] of headers) target.headers.append(name, value);
  } catch {
    target = new Response(response.body, response);
    for (const [name, value] of headers) target.headers.append(name, value);
  }
  return target;
}

/**
 * A reader of the request headers the manager's header transports ask for,
 * over web `Headers` (absent headers as undefined).
 *
 * @example
 * ```ts
 * await manager.load({ cookieHeader: cookieHeaderOf(request.headers), headers: headerReader(request.headers), secure });
 * ```
 */
export function headerReader(headers: Headers): (name: string) => string | undefined {
  return (name) => headers.get(name) ?? undefined;
}

/**
 * Drops a response the app built but that will not be sent (its commit
 * failed, so an error page replaces it): cancels its body, so a stream's
 * producer stops instead of filling memory.
 *
 * @example
 * ```ts
 * discardResponse(response);
 * return storeErrorResponse(error);
 * ```
 */
export function discardResponse(response: Response): void {
  if (response.body !== null && !response.bodyUsed) response.body.cancel().catch(() => undefined);
}

/**
 * The default answer of the fetch-based adapters when the store fails at
 * load or commit (a `SessionStoreError`): its status (503) and a plain-text
 * body, with `Retry-After`, never a page that looks logged out.
 *
 * @example
 * ```ts
 * const onStoreError = options.onStoreError ?? storeUnavailableResponse;
 * ```
 */
export function storeUnavailableResponse(error: { readonly status: number }): Response {
  return new Response("Service Unavailable\n", {
    status: error.status,
    headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "2" },
  });
}
