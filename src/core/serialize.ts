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

/** Where in a value the walk is: property names and array indexes, outermost first. */
type Trail = Array<string | number>;

function formatPath(key: string, trail: Trail): string {
  let path = key;
  for (const step of trail) path += typeof step === "number" ? `[${step}]` : `.${step}`;
  return path;
}

/**
 * Walks a value and returns why the first part JSON would not give back
 * unchanged cannot be stored, leaving `trail` at that part; undefined (and
 * `trail` as it was) when all of it round-trips. JSON.stringify alone
 * silently drops functions, turns NaN and undefined-in-arrays into null and
 * Dates into strings: data that would come back different from what the app
 * stored. The path is only put into words on failure: this walk runs on
 * every commit, for every key.
 */
function findUnfaithful(value: unknown, trail: Trail, ancestors: object[]): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : describe(value);
    case "object":
      break;
    default:
      return describe(value);
  }
  if (value === null) return undefined;
  if (ancestors.includes(value)) return "it refers back to itself (a cycle)";
  ancestors.push(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      trail.push(i);
      if (!(i in value) || value[i] === undefined) return "undefined (or a hole) in an array comes back as null";
      const reason = findUnfaithful(value[i], trail, ancestors);
      if (reason !== undefined) return reason;
      trail.pop();
    }
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return describe(value);
    const record = value as Record<string, unknown>;
    for (const name of Object.keys(record)) {
      const child = record[name];
      // An undefined property reads back as undefined once dropped: faithful.
      if (child === undefined) continue;
      trail.push(name);
      const reason = findUnfaithful(child, trail, ancestors);
      if (reason !== undefined) return reason;
      trail.pop();
    }
  }
  ancestors.pop();
  return undefined;
}

/**
 * Serialises one top-level session value to the JSON text stored in its
 * field, after checking that it will round-trip faithfully.
 *
 * @throws SessionDataError when the value cannot be stored faithfully, naming its path (`cart[2].price`).
 */
export function encodeValue(key: string, value: unknown): string {
  const trail: Trail = [];
  const reason = findUnfaithful(value, trail, []);
  if (reason !== undefined) throw new SessionDataError(key, formatPath(key, trail), reason);
  return JSON.stringify(value);
}

/** Parses a stored field back into its value. */
export function decodeValue(text: string): unknown {
  return JSON.parse(text);
}
