/**
 * The keys of an options type, as the set that option validation checks
 * given objects against (unknown options are rejected, so a typo never
 * silently falls back to a default). The argument names every key of `T`
 * once, and the compiler holds it to the type both ways: leaving a key out
 * (an option added to the interface but not to the list) or naming one the
 * type does not have (a stale or misspelled entry) is a compile error, so
 * the list can never drift from the interface.
 *
 * @example
 * ```ts
 * interface GreetOptions { name?: string; loud?: boolean }
 * const KNOWN = knownKeys<GreetOptions>({ name: true, loud: true }); // Set { "name", "loud" }
 * knownKeys<GreetOptions>({ name: true }); // compile error: "loud" is missing
 * ```
 */
export function knownKeys<T extends object>(keys: Readonly<Record<keyof T, true>>): ReadonlySet<string> {
  return new Set(Object.keys(keys));
}
