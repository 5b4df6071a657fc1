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
/** Reserved field: the user id a session is bound to (`session.bindUser`). */
export const USER_ID_FIELD = "@u";
/** Reserved field: the device facts given at bind time, as JSON (label, ip, user agent, bound-at). */
export const DEVICE_FIELD = "@m";
/** Reserved field: last time a bound session was renewed or written, epoch ms. */
export const LAST_SEEN_FIELD = "@s";
/**
 * Reserved field: a bound session's index lease, epoch ms. It equals the
 * score of the session's entry in its user's index, and a store never
 * renews the session past it, so a live session always has a live index
 * entry: listing and revoking by user cannot miss it.
 */
export const LEASE_FIELD = "@l";
/**
 * Reserved field: the session's CSRF secret (32 random bytes, base64url),
 * from which every page's synchronizer token is masked. Written only when
 * it is created (the first `csrfToken(session)`) or rotated (`regenerate()`),
 * so requests that do not create it pay nothing. Never in listings.
 */
export const CSRF_SECRET_FIELD = "@x";
/**
 * Reserved field: marks a tombstone, the record "log out everywhere" leaves
 * under an id that its user's index lists but whose session does not exist
 * (yet). A tombstone has no {@link CREATED_AT_FIELD}, so it never loads as a
 * session, and a create of its id is refused with `"revoked"`: a login or
 * regenerate caught between its index write and its session write cannot
 * come alive after the revoke. It expires with the index entry's lease.
 */
export const TOMBSTONE_FIELD = "@r";
/** The reserved fields a listing reads (never the data fields). */
export const SUMMARY_FIELDS: readonly string[] = [CREATED_AT_FIELD, USER_ID_FIELD, DEVICE_FIELD, LAST_SEEN_FIELD, LEASE_FIELD];

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
 * any, is deleted. An update of a tombstone is `"gone"`.
 */
export type WriteResult = "ok" | "gone" | "exists" | "revoked";

/**
 * A session store. Implementations: `redisStore` (`tessera/redis`) and
 * `memoryStore` (`tessera/memory`); run `storeConformance` from
 * `tessera/testing` against your own.
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

/**
 * The time to live a session should have now: the idle timeout, capped by
 * what is left of the absolute timeout. Zero or less means expired.
 */
export function targetTtlMs(createdAt: number, now: number, policy: ExpiryPolicy): number {
  const idle = policy.idleTimeoutMs;
  if (policy.absoluteTimeoutMs <= 0) return idle;
  return Math.min(idle, createdAt + policy.absoluteTimeoutMs - now);
}

/**
 * The time to live a stored record should have now, from its own fields:
 * {@link targetTtlMs}, further capped by the lease of a bound session. Zero
 * or less means the record is over; NaN means it has no creation time (not
 * a record Tessera wrote).
 */
export function recordTtlMs(fields: ReadonlyMap<string, string>, now: number, policy: ExpiryPolicy): number {
  const createdAt = Number(fields.get(CREATED_AT_FIELD));
  // Checked here, not left to targetTtlMs: with the absolute timeout off it
  // never reads createdAt, and a hash without one (a revoke's tombstone) must
  // not pass for a session.
  if (!Number.isFinite(createdAt)) return Number.NaN;
  const target = targetTtlMs(createdAt, now, policy);
  const lease = fields.get(LEASE_FIELD);
  return lease === undefined ? target : Math.min(target, Number(lease) - now);
}

/**
 * Whether moving an expiry from `currentExpiresAt` to `targetExpiresAt`
 * (epoch ms) is due: only moves of at least the renew interval are made, so
 * the store and the cookie are touched at most once per interval.
 */
export function isRenewalDue(currentExpiresAt: number, targetExpiresAt: number, policy: ExpiryPolicy): boolean {
  return targetExpiresAt - currentExpiresAt >= policy.renewIntervalMs;
}

/**
 * A bound session's index entry is kept this much longer than its lease:
 * Redis starts a TTL when the command arrives, a few milliseconds after the
 * app read its clock, and app instances' clocks differ slightly. The grace
 * keeps "the entry outlives the session" true despite both.
 */
export const INDEX_GRACE_MS = 1000;

/** A bound session's lease spans this many idle timeouts, so it is extended about once per idle timeout of activity. */
const LEASE_IDLE_PERIODS = 2;

/**
 * The lease a bound session gets when it is bound or its lease is
 * extended: two idle timeouts from now, but never past the absolute
 * timeout (the session cannot live longer than that anyway).
 */
export function leaseEndFor(createdAt: number, now: number, policy: ExpiryPolicy): number {
  const wanted = now + LEASE_IDLE_PERIODS * policy.idleTimeoutMs;
  return policy.absoluteTimeoutMs > 0 ? Math.min(wanted, createdAt + policy.absoluteTimeoutMs) : wanted;
}
