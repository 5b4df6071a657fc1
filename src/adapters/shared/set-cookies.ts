import { legacySetCookies } from "../../core/migration.js";
import { tokenResponseHeaders, type ResponseHeader } from "../../core/token-response.js";

/**
 * The headers a response carries after its commit, as `[name, value]`
 * pairs for the adapter to append one by one: the session's own
 * Set-Cookie, if the commit decided one; for a session migrated from
 * another library on this request, the clearing of that library's cookie;
 * and for a header client (a bearer or named-header token), its new expiry
 * and any issued token it was not handed (see core/token-response.ts).
 *
 * @example
 * ```ts
 * for (const [name, value] of responseHeaders(session, await manager.commit(session))) reply.header(name, value);
 * ```
 */
export function responseHeaders(session: object, cookie: string | undefined): readonly ResponseHeader[] {
  const legacy = legacySetCookies(session);
  const tokens = tokenResponseHeaders(session);
  if (legacy.length === 0 && tokens.length === 0) return cookie === undefined ? tokens : [["set-cookie", cookie]];
  const headers: ResponseHeader[] = cookie === undefined ? [] : [["set-cookie", cookie]];
  for (const clearing of legacy) headers.push(["set-cookie", clearing]);
  return headers.concat(tokens);
}

/**
 * Adds a failed request's session headers to the thrown error's `headers`,
 * for Koa, whose error response clears every header the app set and then
 * applies `err.headers`: the only way a cookie (a renewal, a clearing one,
 * or after a 4xx error a regenerate's) or a header client's token headers
 * reach the error page. Not the migration's clearing cookies, as before.
 *
 * @example
 * ```ts
 * const cookie = await manager.commit(session, { failed: true }).catch(() => null);
 * if (cookie !== null) attachToError(error, session, cookie);
 * ```
 */
export function attachToError(error: unknown, session: object, cookie: string | undefined): void {
  const headers: readonly ResponseHeader[] = cookie === undefined ? tokenResponseHeaders(session) : [["set-cookie", cookie], ...tokenResponseHeaders(session)];
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
