import { decodeCookieValue, sessionIdFromToken } from "./token.js";

/** A cookie value that passed verification, with the store id derived from its token. */
export interface VerifiedCookie {
  readonly token: string;
  /** Store id (SHA-256 of the token, cut to 96 bits). */
  readonly id: string;
  /** Signed with a secret other than the current one: re-sign it. */
  readonly stale: boolean;
}

/** Cookie values remembered at most; about 3 MB when full. */
const MAX_ENTRIES = 10_000;

/**
 * Verifies session cookie values, remembering the ones that passed. A
 * session's requests carry the same cookie value over and over; checking its
 * HMAC and hashing its token again each time was a measurable share of a
 * request's CPU (bench/, `--cpu-prof`). Only valid values are remembered, so
 * forged cookies cannot fill the cache, and the oldest entry makes room once
 * it is full. Entries depend on nothing but the value and the secrets, which
 * are fixed for a manager, so they never go stale.
 *
 * @example
 * ```ts
 * const cookies = verifiedCookies(["k".repeat(32)]);
 * cookies.verify(value)?.id; // store id, or undefined for a bad cookie
 * ```
 */
export function verifiedCookies(secrets: readonly string[]): { verify(value: string): VerifiedCookie | undefined } {
  const remembered = new Map<string, VerifiedCookie>();
  return {
    verify(value) {
      const known = remembered.get(value);
      if (known !== undefined) return known;
      const decoded = decodeCookieValue(value, secrets);
      if (!decoded.valid) return undefined;
      const verified = { token: decoded.token, id: sessionIdFromToken(decoded.token), stale: decoded.stale };
      if (remembered.size >= MAX_ENTRIES) remembered.delete(remembered.keys().next().value!);
      remembered.set(value, verified);
      return verified;
    },
  };
}
