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

/** The fields of empty data: one shared, never-written map. */
const NO_FIELDS: ReadonlyMap<string, string> = new Map();

/**
 * The data's fields as JSON texts, keyed by session key, checking every key
 * and value and the total size. When the data encodes to exactly
 * `baseline` (the loaded record's texts: an unchanged session, most
 * reads), returns `baseline` itself: nothing is written, so no new map is
 * made and no size is checked.
 *
 * @throws SessionDataError, SessionKeyError, SessionTooLargeError: the data cannot be stored as it is.
 *
 * @example
 * ```ts
 * encodeDataFields({ theme: "dark" }, options).get("theme"); // '"dark"'
 * ```
 */
export function encodeDataFields(
  data: Record<string, unknown> | undefined,
  options: FieldOptions,
  baseline: ReadonlyMap<string, string> = NO_FIELDS,
): ReadonlyMap<string, string> {
  if (data === undefined) return NO_FIELDS;
  assertPrototypeUntouched(data);
  const keys = Object.keys(data);
  // Most requests have an empty, untouched or unchanged session: no new map
  // for them (an allocation on every request is garbage the collector pays for).
  if (keys.length === 0) return NO_FIELDS;
  let fields: Map<string, string> | undefined; // made at the first difference from `baseline`
  let matched = 0;
  let units = 0;
  for (const key of keys) {
    const value = data[key];
    if (value === undefined) continue; // like JSON: an undefined key is an absent key
    const known = baseline.get(key);
    if (known === undefined) assertUsableKey(key); // a baseline key was stored, so it is usable
    const text = encodeValue(key, value);
    units += key.length + text.length;
    if (fields === undefined) {
      if (text === known) {
        matched++;
        continue;
      }
      fields = new Map<string, string>();
      // The keys before this one matched: their texts are the baseline's.
      for (const earlier of keys) {
        if (earlier === key) break;
        const same = data[earlier] === undefined ? undefined : baseline.get(earlier);
        if (same !== undefined) fields.set(earlier, same);
      }
    }
    fields.set(key, text);
  }
  if (fields === undefined) {
    if (matched === baseline.size) return baseline;
    fields = new Map<string, string>();
    for (const key of keys) if (data[key] !== undefined) fields.set(key, baseline.get(key)!);
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
