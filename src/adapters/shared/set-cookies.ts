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
