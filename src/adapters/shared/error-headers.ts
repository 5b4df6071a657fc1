import type { ResponseHeader } from "../../core/token-delivery.js";

/**
 * Adds a failed request's session headers (the list of
 * `manager.commitResponse`) to the thrown error's `headers`, for Koa, whose
 * error response clears every header the app set and then applies
 * `err.headers`: the only way a cookie (a renewal, a clearing one, a
 * migrated library's clearing ones, or after a 4xx error a regenerate's)
 * or a header client's token headers reach the error page. Set-Cookie
 * values are appended to any the error already carries; other headers
 * replace theirs.
 *
 * @example
 * ```ts
 * const headers = await manager.commitResponse(session, { failed: true }).catch(() => null);
 * if (headers !== null) attachToError(error, headers);
 * ```
 */
export function attachToError(error: unknown, headers: readonly ResponseHeader[]): void {
  if (error === null || typeof error !== "object" || headers.length === 0) return;
  const carrier = error as { headers?: Record<string, string | string[]> };
  const merged = { ...carrier.headers };
  for (const [name, value] of headers) {
    if (name !== "set-cookie") merged[name] = value;
    else {
      const existing = merged["Set-Cookie"] ?? merged["set-cookie"];
      delete merged["set-cookie"];
      merged["Set-Cookie"] = existing === undefined ? [value] : [...[existing].flat(), value];
    }
  }
  carrier.headers = merged;
}
