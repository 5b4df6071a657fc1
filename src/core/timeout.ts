import { SessionStoreError, TesseraError } from "./errors.js";
import type { AtomicFieldStore, SessionStore, UserIndexStore } from "./store.js";

/**
 * Runs one store operation with a deadline. Any failure becomes a
 * {@link SessionStoreError} (with the client's error as `cause`), so a dead
 * or hung store turns into a fast, typed error instead of a hanging request.
 * The timer is unref'd: it never keeps the process alive.
 */
export function withStoreDeadline<T>(operation: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(
        new SessionStoreError(
          operation,
          `Session store did not answer "${operation}" within ${timeoutMs} ms; the operation may or may not have been applied.`,
          { timedOut: true },
        ),
      );
    }, timeoutMs);
    timer.unref?.();
    let pending: Promise<T>;
    try {
      pending = work();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error instanceof TesseraError) return reject(error);
        const detail = error instanceof Error ? error.message : String(error);
        reject(new SessionStoreError(operation, `Session store failed during "${operation}": ${detail}`, { cause: error }));
      },
    );
  });
}

/**
 * The store with every call under the deadline of {@link withStoreDeadline},
 * its user index included: the manager wraps its store once, at creation,
 * so no caller applies the deadline itself and no argument check (run
 * before any store call) is ever reported as a store failure. Each call is
 * one round trip, and is named in a {@link SessionStoreError} by what it is
 * part of: `load`, `commit` (a write, or the index entry written before
 * it), `destroy`, `list` (reading an index), `revoke` (revoking, removing
 * entries), `flash` (taking or restoring flashes), `update` (an increment or
 * compare-and-set).
 *
 * @example
 * ```ts
 * const store = storeWithDeadline(redisStore({ client }), 2000);
 * await store.load(id, Date.now(), policy); // rejects with SessionStoreError after 2 s
 * ```
 */
export function storeWithDeadline(store: SessionStore, timeoutMs: number): SessionStore {
  const index = store.userIndex;
  const userIndex: UserIndexStore | undefined = index && {
    add: (userId, id, leaseEnd, now, removeIds) => withStoreDeadline("commit", timeoutMs, () => index.add(userId, id, leaseEnd, now, removeIds)),
    remove: (userId, ids) => withStoreDeadline("revoke", timeoutMs, () => index.remove(userId, ids)),
    entries: (userId, now, range) => withStoreDeadline("list", timeoutMs, () => index.entries(userId, now, range)),
    inspect: (ids, now) => withStoreDeadline("list", timeoutMs, () => index.inspect(ids, now)),
    revoke: (id, userId) => withStoreDeadline("revoke", timeoutMs, () => index.revoke(id, userId)),
    revokeEntry: (userId, entry, now, options) => withStoreDeadline("revoke", timeoutMs, () => index.revokeEntry(userId, entry, now, options)),
  };
  const fields = store.atomicFields;
  const atomicFields: AtomicFieldStore | undefined = fields && {
    take: (id, names, now) => withStoreDeadline("flash", timeoutMs, () => fields.take(id, names, now)),
    restore: (id, entries, now) => withStoreDeadline("flash", timeoutMs, () => fields.restore(id, entries, now)),
    increment: (id, field, by, now) => withStoreDeadline("update", timeoutMs, () => fields.increment(id, field, by, now)),
    compareAndSet: (id, field, expected, next, now) => withStoreDeadline("update", timeoutMs, () => fields.compareAndSet(id, field, expected, next, now)),
  };
  return {
    load: (id, now, policy) => withStoreDeadline("load", timeoutMs, () => store.load(id, now, policy)),
    write: (id, write, now) => withStoreDeadline("commit", timeoutMs, () => store.write(id, write, now)),
    destroy: (id) => withStoreDeadline("destroy", timeoutMs, () => store.destroy(id)),
    ...(userIndex && { userIndex }),
    ...(atomicFields && { atomicFields }),
  };
}
