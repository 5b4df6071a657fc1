import { SessionDataError, SessionKeyError } from "./errors.js";

/**
 * Prefix of the store fields Tessera keeps for itself (created-at, user id...).
 * Session keys may not start with it, so data can never overwrite metadata.
 */
export const RESERVED_FIELD_PREFIX = "@";

/**
 * Throws unless `key` can be a top-level session key.
 */
export function assertUsableKey(key: string): void {
  if (key.length === 0) throw new SessionKeyError(key, "it is empty");
  if (key.startsWith(RESERVED_FIELD_PREFIX)) {
    throw new SessionKeyError(key, `keys starting with "${RESERVED_FIELD_PREFIX}" are reserved for Tessera's metadata`);
  }
  if (key === "__proto__") throw new SessionKeyError(key, "it would change the data object's prototype");
}

function describe(value: unknown): string {
  if (typeof value === "function") return "it is a function";
  if (typeof value === "bigint") return "it is a BigInt (store it as a string)";
  if (typeof value === "symbol") return "it is a symbol";
  if (typeof value === "number") return `${value} is not a finite number`;
  if (value instanceof Date) return "it is a Date (store date.getTime() or date.toISOString())";
  if (value instanceof Map || value instanceof Set) return `it is a ${value.constructor.name} (store an array or a plain object)`;
  const name = (value as object).constructor?.name ?? "object";
  return `it is a ${name} instance, not a plain object`;
}

/**
 * Walks a value and throws a {@link SessionDataError} naming the exact path
 * at the first part that JSON would not give back unchanged. JSON.stringify
 * alone silently drops functions, turns NaN and undefined-in-arrays into
 * null and Dates into strings: data that would come back different from what
 * the app stored.
 */
function assertFaithful(value: unknown, key: string, path: string, ancestors: object[]): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (Number.isFinite(value)) return;
      throw new SessionDataError(key, path, describe(value));
    case "object":
      break;
    default:
      throw new SessionDataError(key, path, describe(value));
  }
  if (value === null) return;
  if (ancestors.includes(value)) throw new SessionDataError(key, path, "it refers back to itself (a cycle)");
  ancestors.push(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || value[i] === undefined) {
        throw new SessionDataError(key, `${path}[${i}]`, "undefined (or a hole) in an array comes back as null");
      }
      assertFaithful(value[i], key, `${path}[${i}]`, ancestors);
    }
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new SessionDataError(key, path, describe(value));
    for (const [name, child] of Object.entries(value)) {
      // An undefined property reads back as undefined once dropped: faithful.
      if (child === undefined) continue;
      assertFaithful(child, key, `${path}.${name}`, ancestors);
    }
  }
  ancestors.pop();
}

/**
 * Serialises one top-level session value to the JSON text stored in its
 * field, after checking that it will round-trip faithfully.
 *
 * @throws SessionDataError when the value cannot be stored faithfully.
 */
export function encodeValue(key: string, value: unknown): string {
  assertFaithful(value, key, key, []);
  return JSON.stringify(value);
}

/** Parses a stored field back into its value. */
export function decodeValue(text: string): unknown {
  return JSON.parse(text);
}
