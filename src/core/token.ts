import * as nodeCrypto from "node:crypto";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Length of a token in base64url characters (32 random bytes). */
const TOKEN_LENGTH = 43;
/** Length of an HMAC-SHA256 signature in base64url characters. */
const SIGNATURE_LENGTH = 43;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * A new session token: 256 bits from the OS CSPRNG, base64url. The token is
 * the bearer credential; it lives only in the browser's cookie.
 */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The session's id in the store, derived from its token by SHA-256 and cut to
 * 96 bits (16 base64url characters). Redis never sees the raw token, so a
 * dump of Redis cannot be replayed as cookies, and the id cannot be turned
 * back into a token; it is the session's public id in listings.
 *
 * Why 96 bits: the id is a lookup key, not a credential (the 256-bit token
 * is), so it only needs to avoid accidental collisions (about 2^48 sessions
 * for even odds, and a collision is refused, not merged). Short ids keep the
 * default key `tessera:s:<id>` at 26 bytes, inside Redis's 32-byte
 * allocation class instead of the 48-byte one: 16 bytes less per session.
 */
export function sessionIdFromToken(token: string): string {
  // 12 bytes are exactly 16 base64url characters, so the first 16 characters
  // of the whole digest's encoding are the encoding of its first 12 bytes.
  return sha256Base64url(token).slice(0, 16);
}

/**
 * SHA-256 as base64url text. `crypto.hash` (Node >= 20.12) does it in one
 * call without a Hash object, several times faster for a 43-character token;
 * this runs on every request that carries a session cookie. The namespace
 * import keeps older Node 20 releases, which lack it, loading.
 */
const sha256Base64url: (text: string) => string =
  typeof nodeCrypto.hash === "function"
    ? (text) => nodeCrypto.hash("sha256", text, "base64url")
    : (text) => createHash("sha256").update(text).digest("base64url");

/** HMAC-SHA256 of the token as base64url text (digesting straight to text skips a Buffer). */
function signature(token: string, secret: string): string {
  return createHmac("sha256", secret).update(token).digest("base64url");
}

/** The cookie value for a token: the token itself, or `token.signature` with a secret. */
export function encodeCookieValue(token: string, secret: string | undefined): string {
  if (secret === undefined) return token;
  return `${token}.${signature(token, secret)}`;
}

/** What a cookie value turned out to be. */
export type DecodedCookie =
  | { valid: true; token: string; /** Signed with a secret other than the current one. */ stale: boolean }
  | { valid: false };

const INVALID: DecodedCookie = { valid: false };

/**
 * Checks a cookie value's shape and, when secrets are configured, its
 * signature against each secret (the first is current, the others still
 * verify during rotation). Never throws: garbage is simply invalid, and an
 * invalid cookie costs no store round trip.
 */
export function decodeCookieValue(value: string, secrets: readonly string[]): DecodedCookie {
  // Cheap length and alphabet checks first: oversized or garbage input is
  // rejected before any hashing.
  if (value.length !== TOKEN_LENGTH && value.length !== TOKEN_LENGTH + 1 + SIGNATURE_LENGTH) {
    return INVALID;
  }
  const token = value.slice(0, TOKEN_LENGTH);
  if (!BASE64URL.test(token)) return INVALID;
  if (secrets.length === 0) {
    // Unsigned mode: a signed cookie left over from a signed deployment still
    // carries a valid token; its signature cannot be checked and adds nothing.
    return { valid: true, token, stale: value.length !== TOKEN_LENGTH };
  }
  if (value.length === TOKEN_LENGTH || value[TOKEN_LENGTH] !== ".") return INVALID;
  // Compare the canonical text, not decoded bytes: base64url decoding is
  // lenient (it skips stray characters and ignores trailing bits), so two
  // different cookie values could decode to the same bytes.
  const given = Buffer.from(value.slice(TOKEN_LENGTH + 1), "latin1");
  for (let i = 0; i < secrets.length; i++) {
    const expected = Buffer.from(signature(token, secrets[i]!), "latin1");
    if (timingSafeEqual(given, expected)) {
      return { valid: true, token, stale: i > 0 };
    }
  }
  return INVALID;
}
