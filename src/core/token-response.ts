import { SessionHandle } from "./session-handle.js";
import { NO_HEADERS, type ResponseHeader } from "./token-delivery.js";

export type { ResponseHeader } from "./token-delivery.js";

/**
 * What a header client's response must carry, the counterpart of a cookie
 * client's Set-Cookie: when the session's expiry moved (a renewal, a login),
 * `Tessera-Session-Expires` with the new expiry as an HTTP-date, since the
 * client has no cookie whose Max-Age would tell it; and when a token was
 * issued that the app did not take with `session.takeIssuedToken()`,
 * `Tessera-Session-Token` with it (and `Cache-Control: no-store`, as for any
 * response carrying a credential). Nothing for a cookie client's session,
 * nor for a failed request's new token. Read it after the commit.
 *
 * @deprecated Use `manager.commitResponse(session, outcome)`, which commits
 * and returns every header the response must carry (these, the session's
 * Set-Cookie and a migrated library's clearing cookies) in one list. This
 * is the part of that list that is not a Set-Cookie.
 *
 * @example
 * ```ts
 * for (const [name, value] of tokenResponseHeaders(session)) res.setHeader(name, value);
 * ```
 */
export function tokenResponseHeaders(session: object): readonly ResponseHeader[] {
  if (!(session instanceof SessionHandle)) return NO_HEADERS;
  const headers = session.delivery.responseHeaders(undefined);
  return headers.length === 0 ? NO_HEADERS : headers.filter(([name]) => name !== "set-cookie");
}
