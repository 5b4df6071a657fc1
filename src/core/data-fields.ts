/**
 * The session data as store fields: encoding each top-level key to its JSON
 * text (with the size check), sealing and opening those texts when
 * `encryptData` is on, and decoding a loaded record's data fields. No I/O:
 * the handle decides when, this module only translates.
 */
import { assertPrototypeUntouched } from "./data-object.js";
import { SessionTooLargeError } from "./errors.js";
import { dataKeyFromToken, isSealedField, openField, sealField } from "./field-cipher.js";
import type { ResolvedOptions } from "./options.js";
import { assertUsableKey, decodeValue, encodeValue, RESERVED_FIELD_PREFIX } from "./serialize.js";

/** The options this module reads. */
export type FieldOptions = Pick<ResolvedOptions, "encryptData" | "clearDataAccepted" | "maxSessionBytes">;

/**
 * Baseline text of a field stored in clear while encryption is on. No JSON
 * text is empty, so the field always differs from its current value and the
 * next commit rewrites it sealed: clear data leaves Redis at the session's
 * first request after `encryptData` is turned on.
 */
export const REWRITE_SEALED = "";

/**
 * Seals data fields for the store when `encryptData` is on, remembering the
 * key of the token it last derived one for: a request that reads and writes
 * derives it once.
 *
 * @example
 * ```ts
 * const sealer = new FieldSealer(true);
 * sealer.storedText(token, "cart", "[1]"); // "~1..." (sealed); with `false`, "[1]"
 * ```
 */
export class FieldSealer {
  #token: string | undefined;
  #key: Buffer | undefined;

  constructor(private readonly encryptData: boolean) {}

  /** The data key of `token`, derived on first use. */
  keyFor(token: string): Buffer {
    if (this.#token !== token || this.#key === undefined) {
      this.#key = dataKeyFromToken(token);
      this.#token = token;
    }
    return this.#key;
  }

  /** The text a data field is stored as: its JSON, sealed under `token`'s key when encryption is on. */
  storedText(token: string, field: string, json: string): string {
    return this.encryptData ? sealField(this.keyFor(token), field, json) : json;
  }
}

/**
 * The data's fields as JSON texts, keyed by session key, checking every key
 * and value and the total size.
 *
 * @throws SessionDataError, SessionKeyError, SessionTooLargeError: the data cannot be stored as it is.
 *
 * @example
 * ```ts
 * encodeDataFields({ theme: "dark" }, options).get("theme"); // '"dark"'
 * ```
 */
export function encodeDataFields(data: Record<string, unknown> | undefined, options: FieldOptions): Map<string, string> {
  const fields = new Map<string, string>();
  if (data === undefined) return fields;
  assertPrototypeUntouched(data);
  let units = 0;
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (value === undefined) continue; // like JSON: an undefined key is an absent key
    assertUsableKey(key);
    const text = encodeValue(key, value);
    fields.set(key, text);
    units += key.length + text.length;
  }
  // A UTF-16 code unit takes at most 3 bytes in UTF-8, so exact byte
  // counts are needed only near the limit, not on every commit.
  if (units * 3 > options.maxSessionBytes) assertWithinSize(fields, options.maxSessionBytes);
  return fields;
}

/**
 * Reads a loaded record's data fields into `data` (the values) and
 * `baseline` (their JSON texts, plaintext also when sealed, so a later
 * change is a change of value, never of nonce). A field that fails to open
 * or decode is skipped, not fatal, and left in the store as it is. Returns
 * `sealer`, made on the first sealed field if none was given.
 */
export function decodeDataFields(
  stored: ReadonlyMap<string, string>,
  token: string,
  options: FieldOptions,
  data: Record<string, unknown>,
  baseline: Map<string, string>,
  sealer: FieldSealer | undefined,
): FieldSealer | undefined {
  for (const [field, text] of stored) {
    if (field.startsWith(RESERVED_FIELD_PREFIX)) continue;
    const json = openStoredText(field, text, token, options, () => (sealer ??= new FieldSealer(options.encryptData)));
    // Sealed fields are opened whatever `encryptData` says, so turning the
    // option off loses nothing; a clear field is refused only under
    // "strict" (planted by a Redis writer), and one that fails to
    // authenticate (tampered, or moved from another key or session) is
    // dropped like a corrupt field.
    if (json === undefined) continue;
    let value: unknown;
    try {
      // Refuses what a commit would refuse (a "__proto__" or empty field, a
      // value nested too deep...), so that no stored field makes every
      // commit of the session fail.
      assertUsableKey(field);
      value = decodeValue(field, json);
    } catch {
      continue;
    }
    data[field] = value;
    // A clear field while encryption is on is written again, sealed, at
    // this session's next commit: no JSON text is empty, so it looks changed.
    baseline.set(field, options.encryptData && json === text ? REWRITE_SEALED : json);
  }
  return sealer;
}

/**
 * The JSON text of a stored field (a data field or a flash): opened when
 * sealed (whatever `encryptData` says), as it is when clear unless
 * `clearDataAccepted` is off; undefined when it fails to open or is
 * refused. `sealer` gives the sealer whose data key opens it, on first need.
 */
export function openStoredText(field: string, text: string, token: string, options: FieldOptions, sealer: () => FieldSealer): string | undefined {
  if (isSealedField(text)) return openField(sealer().keyFor(token), field, text);
  return options.clearDataAccepted ? text : undefined;
}

/**
 * Throws {@link SessionTooLargeError}, naming the largest key, when the
 * fields' UTF-8 size (keys and JSON texts) exceeds `maxBytes`.
 */
export function assertWithinSize(fields: ReadonlyMap<string, string>, maxBytes: number): void {
  let size = 0;
  let largestKey = "";
  let largestSize = -1;
  for (const [key, text] of fields) {
    const entrySize = Buffer.byteLength(key) + Buffer.byteLength(text);
    size += entrySize;
    if (entrySize > largestSize) {
      largestSize = entrySize;
      largestKey = key;
    }
  }
  if (size > maxBytes) throw new SessionTooLargeError(size, maxBytes, largestKey);
}
