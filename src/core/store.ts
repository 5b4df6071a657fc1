/**
 * The port between the core and a session store. A store keeps one record
 * per session: a flat map of fields (each top-level session key holds its
 * JSON; reserved `@` fields hold metadata) with an expiry. Stores know
 * nothing about cookies, tokens or frameworks.
 *
 * Every method takes `now` from the manager's clock, so the core and the
 * store agree on time (and tests can fake it).
 */

import type { ExpiryPolicy } from "./expiry.js";
import type { SessionEndFeed } from "./session-ends.js";
import type { TelemetryMeter } from "./telemetry.js";

/** A session as loaded from the store. */
export interface StoredSession {
  /** All fields, data and metadata, as stored (JSON text for data). */
  readonly fields: ReadonlyMap<string, string>;
  /** When the record expires now (after any renewal), epoch ms. */
  readonly expiresAt: number;
  /** True when this load pushed the expiry forward (the cookie must follow). */
  readonly renewed: boolean;
}

/**
 * Creates a record. With `replaces`, the old record is deleted in the same
 * atomic step (regenerate). Refused with `"revoked"` when the id carries a
 * tombstone ({@link TOMBSTONE_FIELD}); the replaced record is deleted then
 * too, so a refused login or regenerate fails closed.
 */
export interface CreateWrite {
  readonly kind: "create";
  /** Every field of the new record, metadata included. */
  readonly set: ReadonlyArray<readonly [string, string]>;
  /** Time to live of the new record. */
  readonly ttlMs: number;
  /** Id of the record this one replaces; if it no longer exists the write is refused ("gone"). */
  readonly replaces?: string;
  /**
   * With `replaces`: instead of deleting the replaced record, retire it
   * for this long (a regenerate's grace window, `regenerateGraceSeconds`):
   * its creation time moves to {@link RETIRED_FIELD} and its TTL is cut to
   * the window, so loads still read it (marked, read-only) while every
   * write, regenerate, renewal, listing and revoke treats it as gone.
   * Undefined or 0: deleted, as always.
   */
  readonly replacedGraceMs?: number;
}

/** Changes an existing record; refused ("gone") if it no longer exists. */
export interface UpdateWrite {
  readonly kind: "update";
  readonly set: ReadonlyArray<readonly [string, string]>;
  readonly del: readonly string[];
  /**
   * New time to live, or undefined to keep the current one. The core moves
   * the expiry only when it is due (at most once per renew interval), so the
   * cookie, which must follow every move, is not re-sent on every write.
   */
  readonly ttlMs?: number;
}

/** A write to one session record. */
export type SessionWrite = CreateWrite | UpdateWrite;

/**
 * Outcome of a write: `"ok"`; `"gone"` when the record (or the record being
 * replaced) was destroyed, regenerated away or expired meanwhile, so
 * nothing was written; `"exists"` when a create met an existing id;
 * `"revoked"` when a create met a tombstone (its user was logged out
 * everywhere meanwhile): nothing was written and the replaced record, if
 * any, is deleted. An update of a tombstone is `"gone"`; an update of a
 * retired record (see {@link CreateWrite.replacedGraceMs}) is `"retired"`:
 * nothing was written, and the session lives on under its new token.
 */
export type WriteResult = "ok" | "gone" | "exists" | "revoked" | "retired";

/**
 * A session store. Implementations: `redisStore` (`tessera-session/redis`) and
 * `memoryStore` (`tessera-session/memory`); run `storeConformance` from
 * `tessera-session/testing` against your own.
 */
export interface SessionStore {
  /**
   * Reads a record and, if its expiry is at least `renewIntervalMs` short of
   * the target (`min(now + idle, createdAt + absolute, lease)`, where lease is
   * the {@link LEASE_FIELD} when present), pushes it forward, all in one
   * round trip. A renewal of a bound record (one with {@link USER_ID_FIELD})
   * also sets {@link LAST_SEEN_FIELD} to `now`. Returns undefined when missing
   * or expired (a record whose lease has passed is expired).
   */
  load(id: string, now: number, policy: ExpiryPolicy): Promise<StoredSession | undefined>;
  /** Applies one write atomically. Writes are idempotent: a retried write has the same effect. */
  write(id: string, write: SessionWrite, now: number): Promise<WriteResult>;
  /** Deletes a record. Deleting a missing record is not an error. */
  destroy(id: string): Promise<void>;
  /**
   * The per-user index of sessions. Optional for third-party stores; without
   * it, `session.bindUser` and the manager's listing and revoking by user
   * are unavailable.
   */
  readonly userIndex?: UserIndexStore;
  /**
   * Atomic operations on single fields of a record: flash messages and
   * `session.increment` / `session.compareAndSet`. Optional for third-party
   * stores; without it those methods throw `SessionConfigError`.
   */
  readonly atomicFields?: AtomicFieldStore;
  /**
   * Where this store announces the sessions it ends (see
   * `announcingSessionEnds`), so WebSockets bound to them close on every
   * instance. Optional: without it, sockets learn of an end only at the
   * session's expiry.
   */
  readonly sessionEnds?: SessionEndFeed;
  /**
   * Optional: the manager calls it once at creation with its `telemetry`
   * meter, so that the store can record metrics only it sees (a Redis
   * store: the sizes of its coalesced batches). Calling it again keeps the
   * first meter.
   */
  instrument?(meter: TelemetryMeter): void;
}

/**
 * Why an atomic field operation changed nothing: `"gone"` (no record: missing,
 * expired or a tombstone) or `"retired"` (a regenerate's read-only copy, see
 * {@link CreateWrite.replacedGraceMs}).
 */
export type NoRecord = "gone" | "retired";

/** Outcome of {@link AtomicFieldStore.increment}. */
export type IncrementResult = { readonly status: "ok"; /** The field's new JSON text. */ readonly text: string } | { readonly status: NoRecord | "not-integer" };

/** Outcome of {@link AtomicFieldStore.compareAndSet}; on a mismatch, the field's current text (undefined: absent). */
export type CompareAndSetResult =
  | { readonly status: "ok" }
  | { readonly status: "mismatch"; readonly current: string | undefined }
  | { readonly status: NoRecord };

/**
 * Single-field operations, each one atomic step (one round trip) on one
 * record, and only on a record that is a session: one with
 * {@link CREATED_AT_FIELD}. A missing record, a tombstone or a retired copy
 * is never written to, so no operation brings a dead session back. None of
 * them moves the record's expiry. Unlike writes, `take` and `increment` are
 * not idempotent: after a timeout their outcome is unknown.
 */
export interface AtomicFieldStore {
  /**
   * Reads and deletes `fields` (a flash's `@f:` fields) in one step: each
   * one's text, undefined where absent; or why there is no record.
   */
  take(id: string, fields: readonly string[], now: number): Promise<Array<string | undefined> | NoRecord>;
  /** Sets each field that is absent now (a failed request's taken flashes), on a session record only. */
  restore(id: string, entries: ReadonlyArray<readonly [string, string]>, now: number): Promise<void>;
  /**
   * Adds the integer `by` to the field's JSON number (absent counts as 0).
   * `"not-integer"` when the stored text is no integer or the sum is past
   * `Number.MAX_SAFE_INTEGER` in size: nothing changes.
   */
  increment(id: string, field: string, by: number, now: number): Promise<IncrementResult>;
  /**
   * Sets the field to `next` (undefined: deletes it) if its text is exactly
   * `expected` (undefined: absent).
   */
  compareAndSet(id: string, field: string, expected: string | undefined, next: string | undefined, now: number): Promise<CompareAndSetResult>;
}

/** One entry of a user's index: a session id and its lease end (epoch ms). */
export interface IndexEntry {
  readonly id: string;
  readonly leaseEnd: number;
}

/** What a listing reads of one session: its reserved fields and its expiry. */
export interface SessionSummary {
  /** The {@link SUMMARY_FIELDS} present on the record; data fields are never read. */
  readonly fields: ReadonlyMap<string, string>;
  /** When the record expires, epoch ms (`Infinity` if the store holds it without expiry). */
  readonly expiresAt: number;
}

/**
 * Outcome of {@link UserIndexStore.revokeEntry}: `"deleted"` (the session
 * was bound to the user and is now deleted), `"absent"` (no session under
 * that id: a tombstone now blocks its creation), `"foreign"` (a session
 * bound to someone else, or unbound: left alone), or, with `onlyIfAbsent`,
 * `"live"` (the user's session exists: left alone).
 */
export type EntryRevokeResult = "deleted" | "absent" | "foreign" | "live";

/** A window of a user's index, newest lease first. */
export interface IndexRange {
  /** Entries to skip. */
  readonly offset: number;
  /** At most this many entries. */
  readonly limit: number;
}

/** Outcome of {@link UserIndexStore.revoke}. */
export type RevokeResult =
  | { readonly deleted: false }
  | { readonly deleted: true; /** The user it was bound to, if any. */ readonly userId: string | undefined };

/**
 * The per-user index: for each user id, the ids of the sessions bound to it,
 * each scored by its lease end. Entries are candidates, not proof: a session
 * destroyed or idle-expired since may still have an entry until its lease
 * ends, so readers check each candidate with {@link inspect}. The converse
 * is guaranteed by the lease (see {@link LEASE_FIELD}): a live bound session
 * is always in its user's index. No keyspace notifications are involved;
 * entries are pruned lazily by lease end on every add and read.
 *
 * Each method touches one user's index or, for `inspect` and `revoke`,
 * one session record per id, so it works on Redis Cluster.
 */
export interface UserIndexStore {
  /**
   * In one atomic step on `userId`'s index: drops the entries whose lease
   * ended by `now`, sets `id`'s lease to `leaseEnd` (never lowering it), and
   * removes `removeIds`. Returns how many entries the index holds afterwards.
   */
  add(userId: string, id: string, leaseEnd: number, now: number, removeIds?: readonly string[]): Promise<number>;
  /** Removes entries from `userId`'s index. Removing a missing entry is not an error. */
  remove(userId: string, ids: readonly string[]): Promise<void>;
  /**
   * The entries whose lease has not ended, after dropping those whose lease
   * has, newest lease first (ties by id, descending); with `range`, only that window.
   */
  entries(userId: string, now: number, range?: IndexRange): Promise<IndexEntry[]>;
  /** Each session's summary, or undefined when it no longer exists; all in one round trip. */
  inspect(ids: readonly string[], now: number): Promise<Array<SessionSummary | undefined>>;
  /**
   * Deletes a session record in one atomic step and says which user it was
   * bound to. With `userId`, deletes only a session bound to that user.
   * Does not touch the index: the caller removes the entry.
   */
  revoke(id: string, userId?: string): Promise<RevokeResult>;
  /**
   * Makes one index entry of `userId` unable to be a live session, in one
   * atomic step on the session's record: deletes the record if it is bound
   * to `userId`; if there is no record, leaves a tombstone
   * ({@link TOMBSTONE_FIELD}) until `entry.leaseEnd`, so that a create of
   * that id is refused. A session bound to someone else is left alone, and
   * so is the user's own with `onlyIfAbsent` (a listing that only buries
   * missing entries). Does not touch the index: the caller removes the entry.
   */
  revokeEntry(userId: string, entry: IndexEntry, now: number, options?: { readonly onlyIfAbsent?: boolean }): Promise<EntryRevokeResult>;
}
