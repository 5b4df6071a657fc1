/** Sessions whose expiry is remembered at most; about 1 MB when full. */
const MAX_ENTRIES = 10_000;

/**
 * What this process last learned of each session's expiry (epoch ms, app
 * clock), from its own loads and writes. It lets a read skip the Lua load
 * script, which costs Redis several times a plain HGETALL, whenever the
 * renewal cannot be due yet. Safe across instances because a session's
 * expiry only ever moves later: a remembered expiry is never later than the
 * real one, so the "not due yet" decision errs toward running the script.
 * A session destroyed or regenerated elsewhere simply reads back empty.
 *
 * @example
 * ```ts
 * const expiries = knownExpiries();
 * expiries.remember(id, now + ttlMs);
 * expiries.get(id); // epoch ms or undefined
 * ```
 */
export function knownExpiries(): {
  get(id: string): number | undefined;
  remember(id: string, expiresAt: number): void;
  forget(id: string): void;
} {
  const expiries = new Map<string, number>();
  return {
    get: (id) => expiries.get(id),
    remember(id, expiresAt) {
      // Re-inserting moves the id to the end: the oldest entry goes first.
      expiries.delete(id);
      if (expiries.size >= MAX_ENTRIES) expiries.delete(expiries.keys().next().value!);
      expiries.set(id, expiresAt);
    },
    forget: (id) => void expiries.delete(id),
  };
}
