import { SessionKeyError } from "./errors.js";

/**
 * The object behind `session.data`: a plain object that keeps its prototype
 * whatever the app assigns to it.
 *
 * On an ordinary object, `data.__proto__ = x` (or `Object.assign(data,
 * JSON.parse(body))` with a `"__proto__"` key, which assigns the same way)
 * runs `Object.prototype`'s `__proto__` setter and makes `x` the prototype:
 * `data.role` then reads the attacker's `x.role` for the rest of the
 * request, and the commit stores nothing of it. An own `__proto__`
 * accessor, defined once per data object, shadows that setter at no cost
 * to other reads and writes (a Proxy would tax every access). Its setter
 * leaves the prototype alone and records the attempt, so that the commit
 * fails with a `SessionKeyError` instead of dropping the key in silence.
 */

/** Data objects whose `__proto__` was assigned. */
const prototypeAssignments = new WeakSet<object>();

/** Shared by every data object, so that they all keep one hidden class. */
const PROTOTYPE_GUARD: PropertyDescriptor = {
  get(this: object): unknown {
    return Object.getPrototypeOf(this);
  },
  set(this: object): void {
    prototypeAssignments.add(this);
  },
  // Invisible to Object.keys, JSON, spreads and deepStrictEqual; and fixed,
  // so app code can neither delete nor redefine it.
  enumerable: false,
  configurable: false,
};

/**
 * A new, empty data object whose prototype stays `Object.prototype`.
 *
 * @example
 * ```ts
 * const data = createDataObject();
 * Object.assign(data, JSON.parse('{"__proto__": {"role": "admin"}}'));
 * data.role; // undefined: the prototype did not change
 * assertPrototypeUntouched(data); // throws SessionKeyError
 * ```
 */
export function createDataObject(): Record<string, unknown> {
  return Object.defineProperty({}, "__proto__", PROTOTYPE_GUARD);
}

/**
 * A new data object holding `value`'s own keys: what `session.data = value` stores.
 *
 * @throws TypeError when `value` is not a plain object.
 *
 * @example
 * ```ts
 * const data = dataObjectFrom(JSON.parse('{"theme": "dark", "__proto__": {"role": "admin"}}'));
 * data.role; // undefined: the prototype did not change (and the commit refuses the key)
 * ```
 */
export function dataObjectFrom(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError("session.data must be a plain object");
  }
  const data = createDataObject();
  // Assignment, not a spread: a "__proto__" key in `value` reaches the
  // data object's guard, and the commit fails, instead of becoming an own key.
  Object.assign(data, value);
  return data;
}

/**
 * Throws when something assigned `__proto__` on `data`, a data object from
 * {@link createDataObject}.
 *
 * @throws SessionKeyError naming `__proto__`.
 *
 * @example
 * ```ts
 * const data = createDataObject();
 * data.theme = "dark";
 * assertPrototypeUntouched(data); // fine
 * ```
 */
export function assertPrototypeUntouched(data: object): void {
  if (prototypeAssignments.has(data)) {
    throw new SessionKeyError(
      "__proto__",
      "it was assigned (data.__proto__ = x, or Object.assign(data, input) with such a key); the data object's prototype was left unchanged",
    );
  }
}
