/**
 * Calls `then` with a value that may already be there (the manager's
 * `loadNowOrLater`, `commitResponseNowOrLater`), at once when it is, else
 * when its promise settles; a rejection goes to `fail`. For adapters whose
 * framework takes a callback: a request with nothing to wait for goes on
 * without a promise or a microtask turn.
 *
 * @example
 * ```ts
 * nowOrLater(manager.loadNowOrLater(input), (session) => next(), next);
 * ```
 */
export function nowOrLater<T>(value: T | Promise<T>, then: (value: T) => void, fail: (error: unknown) => void): void {
  if (value instanceof Promise) value.then(then, fail);
  else then(value);
}
