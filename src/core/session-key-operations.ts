import type { UpdateOptions } from "./atomic-update.js";

/**
 * The operations of a session on one key that go to the store at once,
 * each one atomic round trip (flash.ts and atomic-update.ts hold their
 * rules): flash messages, read once on a later request, and updates of one
 * key that lose no concurrent change, where writing `data[key]` from two
 * requests would race (last writer wins). Part of every `Session`.
 * See docs/flash-and-updates.md.
 */
export interface SessionKeyOperations {
  /**
   * Stages a flash message: a value that a later request reads once with
   * {@link takeFlash}, on any instance, typically after a redirect. It is
   * stored with the request's other changes at commit, so a failed request
   * (an unhandled error, a 5xx) drops it. A second flash of the same key
   * replaces the first. Flashes are never in `data` nor in listings;
   * a `regenerate()` keeps the untaken ones; they count towards
   * `maxSessionBytes` and are sealed like data with `encryptData`. Flashing
   * a new (anonymous) session stores it, like any change.
   *
   * @throws SessionKeyError, SessionDataError, SessionTooLargeError, as data (checked now); TypeError for `undefined`.
   * @throws SessionStoreError on a session the store could not load; SessionRetiredError on a read-only one.
   * @throws SessionConfigError when the store has no `atomicFields` (a third-party store).
   *
   * @example
   * ```ts
   * req.session.flash("notice", `Welcome back, ${user.name}`);
   * res.redirect(303, "/");
   * ```
   */
  flash(key: string, value: unknown): void;
  /**
   * Reads the flash of `key` once: the first request to take it gets the
   * value and the flash is gone, for every instance (the store reads and
   * deletes it in one atomic step: of two concurrent requests only one gets
   * it). Costs no store command when the loaded session holds no flash of
   * that key (most requests), nor for a flash this request set (it is then
   * taken locally and never stored). A request that fails after taking a
   * flash puts it back at its commit, unless a newer flash of the key was
   * set meanwhile or the session is gone: the flash is not lost. A
   * read-only session (`readOnly`) takes nothing (the session under
   * its new token still holds the flash), and a session that turns out gone
   * answers undefined and is dropped, as a commit would.
   *
   * @throws SessionKeyError for a key data could not use; SessionStoreError when the store fails.
   *
   * @example
   * ```ts
   * const notice = await req.session.takeFlash("notice"); // "Welcome back, ada", then undefined
   * ```
   */
  takeFlash(key: string): Promise<unknown>;
  /** Every flash, each taken as {@link takeFlash} takes one (one store round trip for them all, none when there are none), by key. */
  takeFlashes(): Promise<Record<string, unknown>>;
  /**
   * Adds `by` to the integer stored under `key` (absent: 0) in one atomic
   * store step, and answers the sum: 50 concurrent requests each adding 1
   * end 50 higher (changing `data[key]` instead would lose updates, last
   * writer wins). The sum is in `data[key]` at once, and the commit leaves
   * the key alone. A new session (not yet stored) adds locally. The stored
   * expiry does not move (the request's commit renews as usual). On a
   * store timeout the outcome is unknown (`SessionStoreError`, outcome
   * `"unknown"`): unlike commits, an increment is not idempotent.
   *
   * @throws TypeError when `by` is not a safe integer; SessionKeyError for a key data could not use.
   * @throws AtomicUpdateError: `"not-integer"` (the stored value, or the sum, is no safe integer),
   *   `"pending-change"` (this request changed `data[key]` and has not committed it), `"encrypted"`
   *   (`encryptData` is on), `"gone"` (the session ended meanwhile; the handle is a new one then). Nothing changed.
   * @throws SessionRetiredError on a read-only session; SessionStoreError on an unavailable one or a store failure;
   *   SessionConfigError when the store has no `atomicFields`.
   *
   * @example
   * ```ts
   * const visits = await req.session.increment("visits");
   * ```
   */
  increment(key: string, by?: number): Promise<number>;
  /**
   * Sets `key` to `next` only if it holds `expected` now, in one atomic
   * store step; `undefined` means absent (expect no value / delete the
   * key). Values compare by their stored JSON text, as `JSON.stringify`
   * writes them: `{ a: 1, b: 2 }` and `{ b: 2, a: 1 }` differ, and
   * so do a value and a copy with keys in another order. Answers whether
   * it set; either way `data[key]` then shows the stored value, so a retry
   * loop reads it there. A new session compares and sets locally.
   *
   * @throws SessionDataError, SessionTooLargeError for a value data could not hold; otherwise as {@link increment}.
   *
   * @example
   * ```ts
   * // Claim a one-time coupon: of concurrent requests, one wins.
   * if (await req.session.compareAndSet("coupon", "unused", "used")) applyDiscount();
   * ```
   */
  compareAndSet(
    key: string,
    expected: unknown,
    next: unknown,
  ): Promise<boolean>;
  /**
   * A read-modify-write of one key that loses no concurrent change: `fn`
   * maps the key's value (undefined: absent) to its next one (undefined:
   * delete), which is stored with {@link compareAndSet}; when another
   * request changed the key first, `fn` runs again on the value it stored,
   * up to `attempts` times (default 5). Answers the value stored. `fn`
   * gets a copy and may run several times: keep it free of side effects.
   *
   * @throws AtomicUpdateError `"contended"` when every attempt lost; RangeError for bad `attempts`; otherwise as {@link compareAndSet}.
   *
   * @example
   * ```ts
   * // Add to a set that concurrent requests also add to: none is lost.
   * await req.session.update<string[]>("tags", (tags = []) => (tags.includes("new") ? tags : [...tags, "new"]));
   * ```
   */
  update<T>(
    key: string,
    fn: (current: T | undefined) => T | undefined,
    options?: UpdateOptions,
  ): Promise<T | undefined>;
}
