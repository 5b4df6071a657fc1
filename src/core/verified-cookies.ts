import { decodeCookieValue, sessionIdFromToken } from "./token.js";

/** A cookie value that passed verification, with the store id derived from its token. */
export interface VerifiedCookie {
  /**
   * The cookie value, as sent. Only the canonical value verifies (see
   * `decodeCookieValue`), so re-issuing this never echoes a variant back.
   */
  readonly value: string;
  readonly token: string;
  /** Store id (SHA-256 of the token, cut to 96 bits). */
  readonly id: string;
  /** Signed with a secret other than the current one: re-sign it. */
  readonly stale: boolean;
}

/** Verifies session cookie values, remembering those of live sessions. */
export interface VerifiedCookies {
  /** The verified cookie for a value, or undefined when it is not a valid session cookie. Remembers nothing. */
  verify(value: string): VerifiedCookie | undefined;
  /** Remembers a cookie once the store has confirmed a live session for it. */
  confirm(cookie: VerifiedCookie): void;
}

/** Cookie values remembered at most; about 3 MB when full. */
const MAX_ENTRIES = 10_000;

/**
 * Verifies session cookie values, remembering the ones of live sessions. A
 * session's requests carry the same cookie value over and over; checking its
 * HMAC and hashing its token again each time was a measurable share of a
 * request's CPU (bench/, `--cpu-prof`).
 *
 * Why only confirmed values: in unsigned mode any well-formed 43-character
 * value verifies, so remembering at verification would let forged cookies
 * fill the cache and evict real sessions' entries. A value is remembered only
 * after the store returned a live session for it (`confirm`), and only when
 * it is the value Tessera issues now (not stale, which is re-issued anyway),
 * so each session holds at most one entry. The oldest entry makes room once
 * the cache is full. Entries depend on nothing but the value and the
 * secrets, which are fixed for a manager, so they never go stale; a session
 * that ends merely leaves an entry whose id the store no longer knows.
 *
 * @example
 * ```ts
 * const cookies = verifiedCookies(["k".repeat(32)]);
 * const cookie = cookies.verify(value); // undefined for a bad cookie
 * if (cookie && (await store.load(cookie.id, now, policy))) cookies.confirm(cookie);
 * ```
 */
export function verifiedCookies(secrets: readonly string[]): VerifiedCookies {
  const remembered = new Map<string, VerifiedCookie>();
  return {
    verify(value) {
      const known = remembered.get(value);
      if (known !== undefined) return known;
      const decoded = decodeCookieValue(value, secrets);
      if (!decoded.valid) return undefined;
      return { value, token: decoded.token, id: sessionIdFromToken(decoded.token), stale: decoded.stale };
    },
    confirm(cookie) {
      if (cookie.stale || remembered.has(cookie.value)) return;
      if (remembered.size >= MAX_ENTRIES) remembered.delete(remembered.keys().next().value!);
      remembered.set(cookie.value, cookie);
    },
  };
}
