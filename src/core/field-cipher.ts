import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

/**
 * Encryption of session data fields at rest (the `encryptData` option).
 *
 * The key of a session's fields is derived from its token, which only the
 * browser holds: Redis sees the token's hash, never the token, so nothing
 * Redis keeps (a dump, a replica, a backup, a `MONITOR` stream) can read the
 * data, not even together with the app's secrets. Each field is sealed on
 * its own with AES-256-GCM, so delta commits keep writing only the fields
 * that changed.
 *
 * A sealed field's text is {@link SEALED_PREFIX} followed by the base64url
 * of nonce (12 bytes) | ciphertext | tag (16 bytes). No JSON text starts
 * with `~`, so sealed and clear fields cannot be confused.
 */

/** Marks a sealed field, and names its format version: a new format gets a new prefix. */
export const SEALED_PREFIX = "~1";
/** HKDF info: a different use of the token, or a new format, needs a different string. */
const KEY_INFO = "tessera-session data v1";
const KEY_BYTES = 32;
/** GCM's standard 96-bit nonce; random per encryption (a session seals far fewer than 2^32 fields). */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const CIPHER = "aes-256-gcm";
/** HKDF's empty salt: HMAC pads any key to its block with zeros, so this is RFC 5869's HashLen zeros. */
const EMPTY_SALT = Buffer.alloc(0);
/** HKDF-Expand's counter byte for the first (and, for 32 bytes of SHA-256, only) block. */
const FIRST_BLOCK = Buffer.from([1]);
/** Nonces are cut from a pool of CSPRNG bytes: one randomBytes call per 256 seals instead of one each. */
const NONCE_POOL_BYTES = NONCE_BYTES * 256;
let noncePool = Buffer.alloc(0);
let noncePoolOffset = 0;

/**
 * The key that seals a session's data fields: HKDF-SHA256 of the token.
 * Another token (another session, or the same one after `regenerate()`)
 * gives an unrelated key. Unrelated to the store id too, which is a plain
 * SHA-256 of the token: knowing the id does not help to find the key.
 *
 * @example
 * ```ts
 * const key = dataKeyFromToken(token); // 32 bytes, derive once per request
 * ```
 */
export function dataKeyFromToken(token: string): Buffer {
  // HKDF-SHA256 (RFC 5869) written out for its one-block case: extract,
  // then expand with counter 1. The same bytes as
  // hkdfSync("sha256", token, "", KEY_INFO, 32) (test/encrypted-data.test.ts
  // checks it), at about a third of its CPU: this runs on every request
  // that reads or writes data.
  const pseudoRandomKey = createHmac("sha256", EMPTY_SALT).update(token).digest();
  return createHmac("sha256", pseudoRandomKey).update(KEY_INFO).update(FIRST_BLOCK).digest().subarray(0, KEY_BYTES);
}

/** Fresh random nonce bytes, never handed out twice: the pool is replaced, not refilled in place. */
function freshNonce(): Buffer {
  if (noncePoolOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_POOL_BYTES);
    noncePoolOffset = 0;
  }
  const nonce = noncePool.subarray(noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}

/**
 * The additional authenticated data of a field: its name and the format.
 * A sealed text moved to another field (or read as another format) fails
 * authentication, so a Redis writer cannot swap values between keys.
 */
function associatedData(field: string): Buffer {
  return Buffer.from(`${SEALED_PREFIX}${field}`);
}

/**
 * Seals one field's JSON text under `key`, with a fresh random nonce (so
 * the same value sealed twice gives different texts: compare plaintexts,
 * never sealed texts, to detect changes).
 *
 * @example
 * ```ts
 * sealField(key, "username", '"ada"'); // "~1Q2x..."
 * ```
 */
export function sealField(key: Buffer, field: string, json: string): string {
  const nonce = freshNonce();
  const cipher = createCipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(field));
  const sealed = Buffer.concat([nonce, cipher.update(json, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return SEALED_PREFIX + sealed.toString("base64url");
}

/**
 * True when a stored field text is sealed (by {@link sealField}), false for
 * a clear JSON text.
 *
 * @example
 * ```ts
 * isSealedField('"ada"'); // false
 * ```
 */
export function isSealedField(text: string): boolean {
  return text.startsWith(SEALED_PREFIX);
}

/**
 * Opens a sealed field: its JSON text, or undefined when it does not
 * authenticate under `key` for `field` (tampered, truncated, sealed for
 * another field or another session). Never throws.
 *
 * @example
 * ```ts
 * openField(key, "username", sealField(key, "username", '"ada"')); // '"ada"'
 * openField(key, "role", sealField(key, "username", '"ada"'));     // undefined
 * ```
 */
export function openField(key: Buffer, field: string, sealed: string): string | undefined {
  const bytes = Buffer.from(sealed.slice(SEALED_PREFIX.length), "base64url");
  if (bytes.length < NONCE_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv(CIPHER, key, bytes.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(field));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const json = decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES), undefined, "utf8");
    return json + decipher.final("utf8"); // final() throws when the tag does not match
  } catch {
    return undefined;
  }
}
