import { stringifySetCookie } from "cookie";
import type { ResolvedOptions } from "./options.js";

type CookieSettings = ResolvedOptions["cookie"];

/** Longest Cookie header Tessera will parse; anything longer is treated as absent. */
const MAX_COOKIE_HEADER_LENGTH = 16 * 1024;

/**
 * Session cookies tried at most per request. A browser sends one cookie of
 * the name per (domain, path) it holds, so a real user has one or two; the
 * cap bounds what a header stuffed with decoys costs (at most this many
 * verifications and store round trips).
 */
export const MAX_SESSION_COOKIES = 4;

/** The values of the session cookies a Cookie header carries. */
export interface SessionCookieValues {
  /** Distinct values, in header order, at most {@link MAX_SESSION_COOKIES}. */
  readonly values: readonly string[];
  /** The header held more distinct values than were returned. */
  readonly truncated: boolean;
}

const NO_SESSION_COOKIES: SessionCookieValues = Object.freeze({ values: Object.freeze([]), truncated: false });

/**
 * Every cookie of the session's name in a Cookie request header, in header
 * order. Never throws: a malformed header means "no session cookie".
 *
 * Why all of them: a sibling subdomain or an HTTP man-in-the-middle can plant
 * a cookie of the same name with another domain or path ("cookie tossing"),
 * and browsers send both, the planted one often first. Taking only the first
 * (as `cookie`'s parser does) would let a decoy shadow the real session.
 * `__Host-` names are the real defence: such a cookie can only be set by the
 * host itself, over HTTPS, for path `/`.
 *
 * Values are taken as sent, neither percent-decoded nor unquoted: Tessera's
 * values are base64url and `.`, so a value that needs decoding is not one it
 * issued, and decoding would let several header texts stand for one value.
 *
 * @example
 * ```ts
 * readSessionCookies("tessera=planted; theme=dark; tessera=real", "tessera").values; // ["planted", "real"]
 * ```
 */
export function readSessionCookies(header: string | undefined, name: string): SessionCookieValues {
  // Skip parsing entirely when the name is not even present: the common
  // case for static assets and anonymous visitors.
  if (!header || header.length > MAX_COOKIE_HEADER_LENGTH || !header.includes(name)) return NO_SESSION_COOKIES;
  const values: string[] = [];
  // One forward scan: `equals` is the first "=" at or after the current
  // pair's start, kept across '='-less pairs so no character is searched twice.
  let equals = -1;
  for (let start = 0; start < header.length; ) {
    let end = header.indexOf(";", start);
    if (end === -1) end = header.length;
    if (equals < start) equals = header.indexOf("=", start);
    if (equals === -1) break; // no pair with a value is left
    if (equals < end && trimmed(header, start, equals) === name) {
      const value = trimmed(header, equals + 1, end);
      if (!values.includes(value)) {
        if (values.length === MAX_SESSION_COOKIES) return { values, truncated: true };
        values.push(value);
      }
    }
    start = end + 1;
  }
  return values.length === 0 ? NO_SESSION_COOKIES : { values, truncated: false };
}

/** `text.slice(start, end)` without surrounding spaces and tabs (the header's optional whitespace, and nothing else). */
function trimmed(text: string, start: number, end: number): string {
  while (start < end && isOptionalWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isOptionalWhitespace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

function isOptionalWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Whether the Secure attribute applies to a response. */
function isSecure(settings: CookieSettings, requestIsSecure: boolean): boolean {
  return settings.secure === "auto" ? requestIsSecure : settings.secure;
}

/** The attributes every Set-Cookie of the session cookie carries. */
function attributes(settings: CookieSettings, requestIsSecure: boolean) {
  return {
    name: settings.name,
    path: settings.path,
    domain: settings.domain,
    httpOnly: settings.httpOnly,
    secure: isSecure(settings, requestIsSecure),
    sameSite: settings.sameSite,
    partitioned: settings.partitioned || undefined,
  };
}

/**
 * A Set-Cookie header value that stores `value` until `expiresAt` (epoch ms),
 * the same instant the store record expires. Max-Age rounds up: a cookie
 * that outlives its record by under a second is harmless (it is then
 * unknown and gets cleared), while one rounded down to 0 would be deleted
 * by the browser while the session is still alive. `persistent` (the
 * session's own, from `setExpiry`) overrides `settings.persistent`.
 */
export function sessionSetCookie(
  settings: CookieSettings,
  value: string,
  expiresAt: number,
  now: number,
  requestIsSecure: boolean,
  persistent: boolean = settings.persistent,
): string {
  return stringifySetCookie({
    ...attributes(settings, requestIsSecure),
    value,
    ...(persistent
      ? { expires: new Date(expiresAt), maxAge: Math.max(1, Math.ceil((expiresAt - now) / 1000)) }
      : {}),
  });
}

/** A Set-Cookie header value that deletes the session cookie. */
export function clearingSetCookie(settings: CookieSettings, requestIsSecure: boolean): string {
  return stringifySetCookie({
    ...attributes(settings, requestIsSecure),
    value: "",
    expires: new Date(0),
    maxAge: 0,
  });
}

/**
 * What the response must tell the client about its session cookie, as the
 * handle decided it: store `value` until `expiresAt` (epoch ms; `issuedAt`
 * is when that was decided, for Max-Age), or clear the cookie. The handle
 * records intents; {@link renderSetCookie} alone knows the cookie's
 * attributes. `persistent` is the session's own choice (`setExpiry`), when
 * it made one.
 */
export type CookieIntent =
  | {
      readonly kind: "set";
      readonly token: string;
      readonly value: string;
      readonly expiresAt: number;
      readonly issuedAt: number;
      readonly persistent?: boolean | undefined;
    }
  | { readonly kind: "clear" };

/** The one "clear the cookie" intent. */
export const CLEAR_COOKIE: CookieIntent = Object.freeze({ kind: "clear" });

/**
 * The Set-Cookie header value of an intent.
 *
 * @example
 * ```ts
 * renderSetCookie(manager.options.cookie, CLEAR_COOKIE, true); // "tessera=; Max-Age=0; ..."
 * ```
 */
export function renderSetCookie(settings: CookieSettings, intent: CookieIntent, requestIsSecure: boolean): string {
  return intent.kind === "clear"
    ? clearingSetCookie(settings, requestIsSecure)
    : sessionSetCookie(settings, intent.value, intent.expiresAt, intent.issuedAt, requestIsSecure, intent.persistent ?? settings.persistent);
}

/**
 * The cookie intent of a request that failed and had its changes discarded:
 * never a token the client did not send (a half-done login must not hand
 * out its new session), only a renewal of the request's own token (its
 * store expiry already moved at load, and the cookie must follow) or a
 * clearing cookie when the session the client holds is gone (destroyed,
 * rotated away, or unknown).
 *
 * @param intent what the handle decided for a successful response.
 * @param requestToken the token the request's cookie carried, if it named a stored session.
 * @param clientCookieDead the client holds a cookie naming no live session.
 */
export function failedResponseCookie(
  intent: CookieIntent | undefined,
  requestToken: string | undefined,
  clientCookieDead: boolean,
): CookieIntent | undefined {
  if (intent === undefined || intent.kind === "clear") return intent;
  if (requestToken !== undefined && intent.token === requestToken) return intent;
  return requestToken !== undefined || clientCookieDead ? CLEAR_COOKIE : undefined;
}
