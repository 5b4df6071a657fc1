import * as nodeCrypto from "node:crypto";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The canonical base64url encoding of 32 bytes, which both a token and an
 * HMAC-SHA256 signature are: 43 characters, the last of which carries 4 bits
 * of data and 2 zero bits, so only the 16 characters whose value is a
 * multiple of 4 may end it. Why exact: base64url decoding ignores stray bits
 * (and stray characters), so a looser check would let several different
 * strings stand for the same bytes, and a cookie variant the browser sent
 * could verify and then be re-issued.
 */
const CANONICAL_32_BYTES = "[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]";
/** Length of a token, and of a signature, in base64url characters. */
const ENCODED_LENGTH = 43;
/** Length of a signed cookie value, `token.signature`. */
const SIGNED_LENGTH = 2 * ENCODED_LENGTH + 1;
/** A bare token. */
const TOKEN_SHAPE = new RegExp(`^${CANONICAL_32_BYTES}$`);
/** `token.signature`. */
const SIGNED_SHAPE = new RegExp(`^${CANONICAL_32_BYTES}\\.${CANONICAL_32_BYTES}$`);

/**
 * A new session token: 256 bits from the OS CSPRNG, base64url (canonical:
 * 43 characters, no padding, no stray bits). The token is the bearer
 * credential; it lives only in the browser's cookie.
 *
 * @example
 * ```ts
 * const token = generateToken(); // "q3Vb…" (43 characters)
 * ```
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
 *
 * @example
 * ```ts
 * sessionIdFromToken(token); // 16 base64url characters, e.g. "9f2cQm1xZ0aB7_kd"
 * ```
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

/**
 * The cookie value for a token: the token itself, or `token.signature` with
 * a secret. Always canonical (Node encodes base64url without padding or
 * stray bits), so it is the one value {@link decodeCookieValue} accepts for
 * this token and secret.
 *
 * @example
 * ```ts
 * encodeCookieValue(generateToken(), secrets[0]); // "<43 chars>.<43 chars>"
 * ```
 */
export function encodeCookieValue(token: string, secret: string | undefined): string {
  if (secret === undefined) return token;
  return `${token}.${signature(token, secret)}`;
}

/** What a cookie value turned out to be. */
export type DecodedCookie =
  | { valid: true; token: string; /** Signed with a secret other than the current one, or left over from signed mode: re-issue it. */ stale: boolean }
  | { valid: false };

const INVALID: DecodedCookie = { valid: false };

/**
 * Checks a cookie value's shape and, when secrets are configured, its
 * signature against each secret (the first is current, the others still
 * verify during rotation). Never throws: garbage is simply invalid, and an
 * invalid cookie costs no store round trip.
 *
 * Only the canonical value verifies: the token and the signature must each
 * be exactly the canonical base64url encoding of 32 bytes (see
 * `CANONICAL_32_BYTES`), so for a token and secret exactly one string
 * passes, the one {@link encodeCookieValue} makes. The token is then taken
 * as text (the store id hashes the text), and the signature is compared as
 * decoded bytes, in constant time.
 *
 * @example
 * ```ts
 * const decoded = decodeCookieValue(value, ["k".repeat(32)]);
 * if (decoded.valid) sessionIdFromToken(decoded.token);
 * ```
 */
export function decodeCookieValue(value: string, secrets: readonly string[]): DecodedCookie {
  // Cheap length and shape checks first: oversized or garbage input is
  // rejected before any hashing.
  const signed = value.length === SIGNED_LENGTH;
  if (!signed && value.length !== ENCODED_LENGTH) return INVALID;
  if (!(signed ? SIGNED_SHAPE : TOKEN_SHAPE).test(value)) return INVALID;
  const token = signed ? value.slice(0, ENCODED_LENGTH) : value;
  if (secrets.length === 0) {
    // Unsigned mode: a signed cookie left over from a signed deployment still
    // carries a valid token; its signature cannot be checked and adds nothing.
    return { valid: true, token, stale: signed };
  }
  if (!signed) return INVALID;
  // The shape check made this exactly 32 bytes, and the only text for them.
  const given = Buffer.from(value.slice(ENCODED_LENGTH + 1), "base64url");
  for (let i = 0; i < secrets.length; i++) {
    const expected = createHmac("sha256", secrets[i]!).update(token).digest();
    if (timingSafeEqual(given, expected)) return { valid: true, token, stale: i > 0 };
  }
  return INVALID;
}
