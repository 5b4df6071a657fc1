import { SessionDataError, SessionKeyError } from "./errors.js";

/**
 * Prefix of the store fields Tessera keeps for itself (created-at, user id...).
 * Session keys may not start with it, so data can never overwrite metadata.
 */
export const RESERVED_FIELD_PREFIX = "@";

/**
 * How deeply arrays and objects may nest in one session value: `data.k = [[1]]`
 * nests 2 levels. Deeper values fail the commit with a `SessionDataError`.
 * The limit keeps the encoder's recursion far from the stack's end (JSON
 * bodies of 5,000 nested arrays would otherwise surface as a `RangeError`)
 * and no session needs more.
 *
 * @example
 * ```ts
 * let deep: unknown = 1;
 * for (let i = 0; i < MAX_VALUE_DEPTH + 1; i++) deep = [deep];
 * session.data.tree = deep; // the commit rejects with SessionDataError
 * ```
 */
export const MAX_VALUE_DEPTH = 64;

/** A lone UTF-16 surrogate: the `u` flag makes a valid pair one code point, outside this range. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * Throws unless `key` can be a top-level session key (a field of the store's
 * record).
 *
 * @throws SessionKeyError for an empty key, a key starting with `@`, `__proto__`,
 * or a key holding a lone surrogate.
 *
 * @example
 * ```ts
 * assertUsableKey("cart"); // fine
 * assertUsableKey("@c");   // throws SessionKeyError: reserved for metadata
 * ```
 */
export function assertUsableKey(key: string): void {
  if (key.length === 0) throw new SessionKeyError(key, "it is empty");
  if (key.startsWith(RESERVED_FIELD_PREFIX)) {
    throw new SessionKeyError(key, `keys starting with "${RESERVED_FIELD_PREFIX}" are reserved for Tessera's metadata`);
  }
  if (key === "__proto__") throw new SessionKeyError(key, "it would change the data object's prototype");
  // Keys are Redis field names, sent as UTF-8: a lone surrogate would be
  // replaced by U+FFFD, so the key would come back as another one (and two
  // such keys would overwrite each other). Values are safe: JSON escapes it.
  if (LONE_SURROGATE.test(key)) throw new SessionKeyError(key, "it holds a lone UTF-16 surrogate, which Redis cannot store as text");
}

function describe(value: unknown): string {
  if (typeof value === "function") return "it is a function";
  if (typeof value === "bigint") return "it is a BigInt (store it as a string)";
  if (typeof value === "symbol") return "it is a symbol";
  if (typeof value === "number") return `${value} is not a finite number`;
  if (value instanceof Date) return "it is a Date (store date.getTime() or date.toISOString())";
  if (value instanceof Map || value instanceof Set) return `it is a ${value.constructor.name} (store an array or a plain object)`;
  if (value instanceof String || value instanceof Number || value instanceof Boolean) {
    return `it is a boxed ${value.constructor.name} (store the primitive value)`;
  }
  const name = (value as object).constructor?.name ?? "object";
  return `it is a ${name} instance, not a plain object`;
}

/** Where in a value the encoder is: property names and array indexes, outermost first. */
type Trail = Array<string | number>;

function formatPath(key: string, trail: Trail): string {
  let path = key;
  for (const step of trail) path += typeof step === "number" ? `[${step}]` : `.${step}`;
  return path;
}

/** Thrown inside the encoder, with the trail left at the offending part; turned into a SessionDataError at the top. */
class Refusal {
  constructor(readonly reason: string) {}
}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

/** The encoder's position: the trail for the error message and the containers it is inside (for cycles and depth). */
interface Walk {
  readonly trail: Trail;
  readonly ancestors: object[];
}

/**
 * The JSON text of `value`, or a {@link Refusal} when the text would not
 * parse back to an equal value. One pass both checks and writes, so each
 * property is read once: a getter cannot show the check one value and the
 * writer another, and `toJSON` methods (own, inherited, or planted on
 * `Object.prototype`) are never called. The output is byte for byte what
 * `JSON.stringify` gives, except `-0`, written as `-0` (which `JSON.parse`
 * reads back as -0) where `JSON.stringify` writes `0`: values stored before
 * read back as the same text, so they are not rewritten.
 */
function encodeAny(value: unknown, walk: Walk): string {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) refuse(describe(value));
      // String(n) is JSON's number text for finite numbers, -0 aside.
      return Object.is(value, -0) ? "-0" : String(value);
    case "object":
      if (value === null) return "null";
      return Array.isArray(value) ? encodeArray(value, walk) : encodeObject(value, walk);
    default:
      refuse(describe(value));
  }
}

/**
 * A string's JSON text. Most session strings need no escaping, and checking
 * that in JS is several times cheaper than a call to JSON.stringify, which
 * does the rest: quotes, backslashes, control characters and surrogates
 * (lone ones are escaped, so that the text is valid UTF-8 for Redis).
 */
function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20 || unit === 0x22 || unit === 0x5c || (unit >= 0xd800 && unit <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

/** Steps into a container: refuses cycles and nesting beyond {@link MAX_VALUE_DEPTH}. */
function enter(container: object, walk: Walk): void {
  if (walk.ancestors.includes(container)) refuse("it refers back to itself (a cycle)");
  if (walk.ancestors.length >= MAX_VALUE_DEPTH) refuse(`it nests arrays and objects deeper than ${MAX_VALUE_DEPTH} levels`);
  walk.ancestors.push(container);
}

const HOLE = "a hole in an array comes back as null";
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

function encodeArray(array: unknown[], walk: Walk): string {
  if (Object.getPrototypeOf(array) !== Array.prototype) refuse(describe(array));
  enter(array, walk);
  // Object.keys of a plain array lists exactly its indexes. More means named
  // properties (arr.total = 3), which JSON drops; fewer means holes, which
  // JSON turns into null. A hole offset by a named property still reads
  // undefined below.
  if (Object.keys(array).length !== array.length) refuseArrayOddity(array, walk);
  let text = "[";
  for (let i = 0; i < array.length; i++) {
    walk.trail.push(i);
    const item = array[i];
    if (item === undefined) refuse(Object.hasOwn(array, i) ? "undefined in an array comes back as null" : HOLE);
    if (i > 0) text += ",";
    text += encodeAny(item, walk);
    walk.trail.pop();
  }
  walk.ancestors.pop();
  return `${text}]`;
}

/** Names the hole or the named property that made an array's key count wrong (failure path only). */
function refuseArrayOddity(array: unknown[], walk: Walk): never {
  for (let i = 0; i < array.length; i++) {
    if (!Object.hasOwn(array, i)) {
      walk.trail.push(i);
      refuse(HOLE);
    }
  }
  walk.trail.push(Object.keys(array).find((name) => !ARRAY_INDEX.test(name)) ?? "");
  refuse("JSON keeps only an array's elements, not its other properties");
}

function encodeObject(object: object, walk: Walk): string {
  // Null-prototype objects hold plain data too (querystring.parse makes
  // them); they come back with Object.prototype. Any other prototype means
  // a class instance, a Date, a boxed primitive...: JSON loses what it adds.
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) refuse(describe(object));
  enter(object, walk);
  const record = object as Record<string, unknown>;
  let text = "{";
  let separator = "";
  // What Object.keys lists is the data. Symbol keys and non-enumerable
  // properties, JS's ways of attaching what is not data, are left out, as
  // JSON and structuredClone leave them out. (Refusing them would
  // cost every commit an Object.getOwnPropertySymbols call per object, as
  // much as encoding a small object.)
  for (const name of Object.keys(record)) {
    const child = record[name];
    // An undefined property reads back as undefined once dropped: faithful.
    if (child === undefined) continue;
    walk.trail.push(name);
    // JSON.parse makes "__proto__" an own key, harmless until code copies
    // it with assignment (Object.assign, merges): then it swaps the copy's
    // prototype. No session needs such a key; storing one would carry a
    // prototype-pollution payload into every later request.
    if (name === "__proto__") refuse("a key named __proto__ would change the prototype of any object it is copied into");
    text += `${separator}${quote(name)}:${encodeAny(child, walk)}`;
    separator = ",";
    walk.trail.pop();
  }
  walk.ancestors.pop();
  return `${text}}`;
}

/**
 * Serialises one top-level session value to the JSON text stored in its
 * field, checking in the same pass that the text parses back to an equal
 * value: plain objects, dense arrays, strings, finite numbers (`-0`
 * included), booleans and null, nested at most {@link MAX_VALUE_DEPTH}
 * levels. An object's data is what `Object.keys` lists: properties set to
 * undefined, symbol keys and non-enumerable properties are left out, and
 * null-prototype objects come back with `Object.prototype`. Getters are read
 * once and stored as their value; `toJSON` is never called.
 *
 * @throws SessionDataError when the value cannot be stored faithfully, naming its path (`cart[2].price`).
 *
 * @example
 * ```ts
 * encodeValue("cart", [{ sku: "a1", qty: 2 }]); // '[{"sku":"a1","qty":2}]'
 * encodeValue("when", new Date());             // throws SessionDataError, path "when"
 * ```
 */
export function encodeValue(key: string, value: unknown): string {
  const walk: Walk = { trail: [], ancestors: [] };
  try {
    return encodeAny(value, walk);
  } catch (error) {
    if (error instanceof Refusal) throw new SessionDataError(key, formatPath(key, walk.trail), error.reason);
    throw error; // a getter's or a proxy's own error
  }
}

/**
 * True unless `text` surely parses to a value {@link encodeValue} accepts.
 * JSON.parse only makes plain objects, dense arrays and primitives, so the
 * encoder can refuse its output for three reasons only, each visible in the
 * text: nesting past {@link MAX_VALUE_DEPTH} needs more than twice as many
 * characters; a "__proto__" key is spelled out or hidden behind \u escapes;
 * a number past 1.8e308 (Infinity once parsed) needs over 128 digits or a
 * three-digit exponent. Keep in step with the encoder's refusals.
 */
function mayBeUnstorable(text: string): boolean {
  return text.length > 2 * MAX_VALUE_DEPTH || text.includes("__proto__") || text.includes("\\u") || /[eE][+-]?\d{3}/.test(text);
}

/**
 * Parses a stored field back into its value, refusing what Tessera would
 * not write (see {@link encodeValue}): such a field was written by
 * something else (an older version, another language, a hand edit), and
 * loading it would make every commit of the session fail.
 *
 * @throws SyntaxError when `text` is not JSON; SessionDataError when its value could not be stored again.
 *
 * @example
 * ```ts
 * decodeValue("cart", '[{"sku":"a1","qty":2}]'); // [{ sku: "a1", qty: 2 }]
 * decodeValue("deep", "[".repeat(65) + "]".repeat(65)); // throws SessionDataError
 * ```
 */
export function decodeValue(key: string, text: string): unknown {
  const value: unknown = JSON.parse(text);
  // Most stored texts are short and plain: the full check is for the rest.
  if (mayBeUnstorable(text)) encodeValue(key, value);
  return value;
}
