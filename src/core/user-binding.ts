/**
 * A session's binding to a user: its state, and the lease protocol that
 * keeps every live bound session in its user's index (see
 * `revokeUserSessions` for why the order matters):
 * - an id enters the index, confirmed, before its record is created or its
 *   lease is extended;
 * - an id leaves the index only after its record is dead;
 * - a new binding over `maxSessionsPerUser` evicts the oldest sessions.
 *
 * The store passed in is the manager's, already under the store deadline.
 */
import { INDEX_GRACE_MS, leaseEndFor } from "./expiry.js";
import type { ExpiryPolicy } from "./expiry.js";
import { DEVICE_FIELD, LEASE_FIELD, USER_ID_FIELD } from "./record-fields.js";
import type { RecordState } from "./commit-plan.js";
import type { CreateWrite, SessionStore, WriteResult } from "./store.js";
import { encodeDevice, enforceMaxSessions, requireUserIndex } from "./user-sessions.js";

/** A binding about to be written (a `bindUser` not yet committed). */
export interface Binding {
  readonly userId: string;
  /** The device field's text. */
  readonly device: string;
}

/** The binding of a stored record: which user's index holds it, and until when its lease runs (epoch ms). */
export interface StoredBinding extends Binding {
  readonly leaseEnd: number;
}

/**
 * The binding a loaded record carries, if any. A bound record without a
 * lease (written by hand?) gets one at its next commit.
 */
export function bindingFromRecord(fields: ReadonlyMap<string, string>, createdAt: number): StoredBinding | undefined {
  const userId = fields.get(USER_ID_FIELD);
  if (userId === undefined) return undefined;
  const lease = Number(fields.get(LEASE_FIELD));
  return { userId, device: fields.get(DEVICE_FIELD) ?? encodeDevice(undefined, createdAt), leaseEnd: Number.isFinite(lease) ? lease : 0 };
}

/** The lease must be extended: the session's next renewals would reach past it. */
export function isLeaseDue(leaseEnd: number, createdAt: number, now: number, policy: ExpiryPolicy): boolean {
  return leaseEnd - now < policy.idleTimeoutMs && leaseEndFor(createdAt, now, policy) > leaseEnd;
}

/**
 * Adds `id` to `userId`'s index with `leaseEnd` (plus the grace), and
 * resolves once the store confirmed it, to the number of entries the index
 * holds. A commit calls it before the write that says the lease exists: a
 * failure in between leaves a dangling entry (which readers drop), never a
 * session missing from its user's index.
 */
export function indexSession(store: SessionStore, userId: string, id: string, leaseEnd: number, now: number): Promise<number> {
  return requireUserIndex(store).add(userId, id, leaseEnd + INDEX_GRACE_MS, now);
}

/**
 * Creates a record and, for a bound session, first its index entry: the
 * entry is written and confirmed before the create is sent, so a session is
 * never alive without its entry, on any topology (on a Cluster the two keys
 * are on different nodes, and only this order makes "log out everywhere"
 * complete). It costs a login one round trip more. If the index write
 * fails, nothing is created and the replaced record is destroyed: a failed
 * login or regenerate never leaves the old token working.
 *
 * `replacedIndexedUser` is the user whose index holds the replaced record.
 *
 * @returns the write's result and, when bound, the index's entry count.
 */
export async function createIndexed(
  store: SessionStore,
  id: string,
  write: CreateWrite,
  binding: Binding | undefined,
  leaseEnd: number,
  now: number,
  replacedIndexedUser: string | undefined,
): Promise<{ result: WriteResult; indexed: number }> {
  let indexed = 0;
  if (binding !== undefined) {
    try {
      indexed = await indexSession(store, binding.userId, id, leaseEnd, now);
    } catch (error) {
      if (write.replaces !== undefined) await destroyIndexed(store, write.replaces, replacedIndexedUser).catch(() => undefined);
      throw error;
    }
  }
  return { result: await store.write(id, write, now), indexed };
}

/**
 * Deletes a stored record and then its index entry. Only in that order: an
 * id leaves the index only once its record is dead, or a failed delete
 * would leave a live session that "log out everywhere" cannot find.
 */
export async function destroyIndexed(store: SessionStore, id: string, indexedUser: string | undefined): Promise<void> {
  await store.destroy(id);
  await unindexSession(store, indexedUser, id);
}

/**
 * Destroys the records a session state names (the stored one and the one a
 * pending regenerate replaces), each before its index entry. Resolves to
 * true when there was any.
 */
export async function destroyRecords(store: SessionStore, record: RecordState): Promise<boolean> {
  const { storedId, replacesId, binding } = record;
  if (storedId !== undefined) await destroyIndexed(store, storedId, binding?.userId);
  if (replacesId !== undefined) await destroyIndexed(store, replacesId, binding?.userId);
  return storedId !== undefined || replacesId !== undefined;
}

/**
 * Best effort: removes a dead record's entry from `userId`'s index. An
 * entry left behind is a dangling candidate that readers drop, never a
 * live session.
 */
export async function unindexSession(store: SessionStore, userId: string | undefined, id: string | undefined): Promise<void> {
  if (userId === undefined || id === undefined) return;
  await store.userIndex?.remove(userId, [id]).catch(() => undefined);
}

/**
 * After a new binding's record is written: keeps at most `max` of the
 * user's sessions, never `id`. The index count includes dead candidates,
 * so it can only overestimate: below the limit, no listing is needed.
 */
export async function evictOverLimit(
  store: SessionStore,
  userId: string,
  id: string,
  indexed: number,
  max: number | undefined,
  now: number,
): Promise<void> {
  if (max === undefined || indexed <= max) return;
  await enforceMaxSessions(requireUserIndex(store), userId, now, max, id);
}
