import { parseCookie, stringifySetCookie } from "cookie";
import type { ResolvedOptions } from "./options.js";

type CookieSettings = ResolvedOptions["cookie"];

/** Longest Cookie header Tessera will parse; anything longer is treated as absent. */
const MAX_COOKIE_HEADER_LENGTH = 16 * 1024;

/**
 * The session cookie's value from a Cookie request header, or undefined.
 * Never throws: a malformed header means "no session cookie".
 */
export function readSessionCookie(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > MAX_COOKIE_HEADER_LENGTH) return undefined;
  // Skip parsing entirely when the name is not even present: the common
  // case for static assets and anonymous visitors.
  if (!header.includes(name)) return undefined;
  try {
    return parseCookie(header)[name];
  } catch {
    return undefined;
  }
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
 * by the browser while the session is still alive.
 */
export function sessionSetCookie(
  settings: CookieSettings,
  value: string,
  expiresAt: number,
  now: number,
  requestIsSecure: boolean,
): string {
  return stringifySetCookie({
    ...attributes(settings, requestIsSecure),
    value,
    ...(settings.persistent
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
