import { SessionHandle } from "./session-handle.js";
import { SESSION_EXPIRES_HEADER, SESSION_TOKEN_HEADER } from "./transport.js";

/** A response header as a name and one value. */
export type ResponseHeader = readonly [name: string, value: string];

const NONE: readonly ResponseHeader[] = Object.freeze([]);

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
 * @example
 * ```ts
 * for (const [name, value] of tokenResponseHeaders(session)) res.setHeader(name, value);
 * ```
 */
export function tokenResponseHeaders(session: object): readonly ResponseHeader[] {
  if (!(session instanceof SessionHandle)) return NONE;
  const intent = session.headerIntent;
  if (intent === undefined) return NONE;
  const expires: ResponseHeader = [SESSION_EXPIRES_HEADER, new Date(intent.expiresAt).toUTCString()];
  if (!intent.issued || intent.taken) return [expires];
  return [[SESSION_TOKEN_HEADER, intent.value], ["cache-control", "no-store"], expires];
}
