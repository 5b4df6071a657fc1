/**
 * The port between the core and a session store. A store keeps one record
 * per session: a flat map of fields (each top-level session key holds its
 * JSON; reserved `@` fields hold metadata) with an expiry. Stores know
 * nothing about cookies, tokens or frameworks.
 *
 * Every method takes `now` from the manager's clock, so the core and the
 * store agree on time (and tests can fake it).
 */

/** Reserved field: creation time, epoch ms, as decimal text. */
export const CREATED_AT_FIELD = "@c";

/** How long sessions live; all durations in milliseconds. */
export interface ExpiryPolicy {
  /** A session idle this long expires. */
  readonly idleTimeoutMs: number;
  /** A session expires this long after creation, however active. 0 = no absolute limit. */
  readonly absoluteTimeoutMs: number;
  /** An unchanged session's expiry is pushed forward at most once per this interval. */
  readonly renewIntervalMs: number;
}

/** A session as loaded from the store. */
export interface StoredSession {
  /** All fields, data and metadata, as stored (JSON text for data). */
  readonly fields: ReadonlyMap<string, string>;
  /** When the record expires now (after any renewal), epoch ms. */
  readonly expiresAt: number;
  /** True when this load pushed the expiry forward (the cookie must follow). */
  readonly renewed: boolean;
}

/** Creates a record. With `replaces`, the old record is deleted in the same atomic step (regenerate). */
export interface CreateWrite {
  readonly kind: "create";
  /** Every field of the new record, metadata included. */
  readonly set: ReadonlyArray<readonly [string, string]>;
  /** Time to live of the new record. */
  readonly ttlMs: number;
  /** Id of the record this one replaces; if it no longer exists the write is refused ("gone"). */
  readonly replaces?: string;
}

/** Changes an existing record; refused ("gone") if it no longer exists. */
export interface UpdateWrite {
  readonly kind: "update";
  readonly set: ReadonlyArray<readonly [string, string]>;
  readonly del: readonly string[];
  /** New time to live (activity refreshes the idle timeout). */
  readonly ttlMs: number;
}

/** A write to one session record. */
export type SessionWrite = CreateWrite | UpdateWrite;

/**
 * Outcome of a write: `"ok"`; `"gone"` when the record (or the record being
 * replaced) was destroyed, regenerated away or expired meanwhile, so
 * nothing was written; `"exists"` when a create met an existing id.
 */
export type WriteResult = "ok" | "gone" | "exists";

/**
 * A session store. Implementations: `redisStore` (`tessera/redis`) and
 * `memoryStore` (`tessera/memory`); run `storeConformance` from
 * `tessera/testing` against your own.
 */
export interface SessionStore {
  /**
   * Reads a record and, if its expiry is at least `renewIntervalMs` short of
   * the target (`min(now + idle, createdAt + absolute)`), pushes it forward,
   * all in one round trip. Returns undefined when missing or expired.
   */
  load(id: string, now: number, policy: ExpiryPolicy): Promise<StoredSession | undefined>;
  /** Applies one write atomically. Writes are idempotent: a retried write has the same effect. */
  write(id: string, write: SessionWrite, now: number): Promise<WriteResult>;
  /** Deletes a record. Deleting a missing record is not an error. */
  destroy(id: string): Promise<void>;
}

/**
 * The time to live a session should have now: the idle timeout, capped by
 * what is left of the absolute timeout. Zero or less means expired.
 */
export function targetTtlMs(createdAt: number, now: number, policy: ExpiryPolicy): number {
  const idle = policy.idleTimeoutMs;
  if (policy.absoluteTimeoutMs <= 0) return idle;
  return Math.min(idle, createdAt + policy.absoluteTimeoutMs - now);
}
