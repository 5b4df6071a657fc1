import { randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The cryptography of CSRF tokens, and nothing else: the per-session secret
 * (kept in the session record), the masked tokens pages carry, and their
 * constant-time comparison. The rules of when to check live in `csrf.ts`.
 */

/** Bytes of a CSRF secret and of a token's mask. */
const SECRET_BYTES = 32;
/** A secret as stored: 32 bytes, base64url (43 characters). */
const SECRET_TEXT = /^[A-Za-z0-9_-]{43}$/;
/** A masked token: mask and masked secret, 64 bytes, base64url (86 characters). */
const TOKEN_TEXT = /^[A-Za-z0-9_-]{86}$/;

/**
 * A new per-session CSRF secret: 256 bits from the OS CSPRNG, base64url.
 * Independent of the session token, so a page that leaks its CSRF token
 * (a cached page, a log) leaks nothing about the cookie.
 *
 * @example
 * ```ts
 * generateCsrfSecret(); // "q0V3...43 characters"
 * ```
 */
export function generateCsrfSecret(): string {
  return randomBytes(SECRET_BYTES).toString("base64url");
}

/**
 * Whether a stored text is a secret this module wrote. A record edited by
 * hand may hold anything; such a value is ignored (a fresh secret replaces
 * it when a token is next asked for) rather than trusted.
 *
 * @example
 * ```ts
 * isCsrfSecret(generateCsrfSecret()); // true
 * ```
 */
export function isCsrfSecret(text: string | undefined): text is string {
  return text !== undefined && SECRET_TEXT.test(text);
}

/**
 * A token for a page: a fresh random mask followed by the secret XORed
 * with it, base64url. Every response carries a different token for the
 * same secret, so a compression side channel (BREACH) that recovers
 * repeated page text byte by byte learns nothing reusable, as in Django.
 *
 * @example
 * ```ts
 * const token = maskCsrfSecret(secret); // 86 characters, different each call
 * csrfTokenMatches(token, secret); // true
 * ```
 */
export function maskCsrfSecret(secret: string): string {
  const plain = Buffer.from(secret, "base64url");
  const token = Buffer.allocUnsafe(2 * SECRET_BYTES);
  randomBytes(SECRET_BYTES).copy(token, 0);
  for (let i = 0; i < SECRET_BYTES; i++) token[SECRET_BYTES + i] = plain[i]! ^ token[i]!;
  return token.toString("base64url");
}

/**
 * Whether a submitted token was masked from `secret`. Never throws: any
 * other shape is simply no match. The unmasked bytes are compared with
 * `timingSafeEqual`, so the time taken says nothing about how much of a
 * guess was right.
 *
 * @example
 * ```ts
 * csrfTokenMatches(req.body._csrf, secret); // false for "", "x", another session's token...
 * ```
 */
export function csrfTokenMatches(token: string, secret: string): boolean {
  if (!TOKEN_TEXT.test(token) || !isCsrfSecret(secret)) return false;
  const bytes = Buffer.from(token, "base64url");
  const expected = Buffer.from(secret, "base64url");
  if (bytes.length !== 2 * SECRET_BYTES || expected.length !== SECRET_BYTES) return false;
  const unmasked = Buffer.allocUnsafe(SECRET_BYTES);
  for (let i = 0; i < SECRET_BYTES; i++) unmasked[i] = bytes[SECRET_BYTES + i]! ^ bytes[i]!;
  return timingSafeEqual(unmasked, expected);
}
