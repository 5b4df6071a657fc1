import { CREATED_AT_FIELD, LAST_SEEN_FIELD, RETIRED_FIELD, SUMMARY_FIELDS, USER_ID_FIELD } from "../core/record-fields.js";
import { renewalOnLoad } from "../core/expiry.js";
import type { AtomicFieldStore, IndexEntry, NoRecord, RevokeResult, SessionStore, SessionSummary, SessionWrite, StoredSession, UserIndexStore, WriteResult } from "../core/store.js";
import type { ExpiryPolicy } from "../core/expiry.js";
import { announcingSessionEnds, localSessionEnds } from "../core/session-ends.js";

interface Record {
  fields: Map<string, string>;
  expiresAt: number;
}

/** A memory store, with a peek at its contents for tests. */
export interface MemoryStore extends SessionStore {
  /** Number of records, expired ones not yet swept included. */
  readonly size: number;
  /** A copy of a record's fields, or undefined. For tests and debugging. */
  peek(id: string): Map<string, string> | undefined;
  /** Removes every record and every index entry. */
  clear(): void;
  /** The per-user index (always present on a memory store). */
  readonly userIndex: UserIndexStore;
}

/** How many writes between full sweeps of expired records. */
const SWEEP_EVERY_WRITES = 1000;

/**
 * A session store in this process's memory, for tests and single-process
 * development. Sessions are not shared between processes and vanish on
 * restart: use `redisStore` for anything else. Expiry follows the `now`
 * the manager passes in, so a fake clock drives it in tests. It keeps the
 * per-user index too (a map of leases per user), pruned the same lazy way.
 *
 * @example
 * ```ts
 * import { memoryStore } from "tessera-session/memory";
 * const sessions = createSessionManager({ store: memoryStore() });
 * ```
 */
export function memoryStore(): MemoryStore {
  const records = new Map<string, Record>();
  /** user id -> (session id -> lease end). */
  const indexes = new Map<string, Map<string, number>>();
  /** Tombstones left by revokeEntry: session id -> until (epoch ms). Kept apart from records, so no read can mistake one for a session. */
  const tombstones = new Map<string, number>();
  let writesSinceSweep = 0;

  function live(id: string, now: number): Record | undefined {
    const record = records.get(id);
    if (record && record.expiresAt <= now) {
      records.delete(id);
      return undefined;
    }
    return record;
  }

  /** A live record that is a session: neither missing nor a regenerate's retired copy. */
  function session(id: string, now: number): Record | undefined {
    const record = live(id, now);
    return record?.fields.has(CREATED_AT_FIELD) ? record : undefined;
  }

  /** Ends the record a regenerate replaces: deleted, or retired for `graceMs` (see `CreateWrite.replacedGraceMs`). */
  function retire(id: string, graceMs: number | undefined, now: number): void {
    const record = records.get(id);
    if (!record || graceMs === undefined || graceMs <= 0) {
      records.delete(id);
      return;
    }
    record.fields.set(RETIRED_FIELD, record.fields.get(CREATED_AT_FIELD)!);
    record.fields.delete(CREATED_AT_FIELD);
    record.expiresAt = Math.min(record.expiresAt, now + Math.ceil(graceMs));
  }

  function sweep(now: number): void {
    if (++writesSinceSweep < SWEEP_EVERY_WRITES) return;
    writesSinceSweep = 0;
    for (const [id, record] of records) if (record.expiresAt <= now) records.delete(id);
    for (const [id, until] of tombstones) if (until <= now) tombstones.delete(id);
    for (const userId of indexes.keys()) prunedIndex(userId, now);
  }

  /** A user's index with the entries whose lease ended dropped (and the index itself when empty). */
  function prunedIndex(userId: string, now: number): Map<string, number> | undefined {
    const index = indexes.get(userId);
    if (!index) return undefined;
    for (const [id, leaseEnd] of index) if (leaseEnd <= now) index.delete(id);
    if (index.size === 0) {
      indexes.delete(userId);
      return undefined;
    }
    return index;
  }

  const userIndex: UserIndexStore = {
    async add(userId, id, leaseEnd, now, removeIds = []) {
      const index = prunedIndex(userId, now) ?? new Map<string, number>();
      index.set(id, Math.max(leaseEnd, index.get(id) ?? -Infinity));
      for (const removed of removeIds) index.delete(removed);
      if (index.size > 0) indexes.set(userId, index);
      else indexes.delete(userId);
      return index.size;
    },

    async remove(userId, ids) {
      const index = indexes.get(userId);
      if (!index) return;
      for (const id of ids) index.delete(id);
      if (index.size === 0) indexes.delete(userId);
    },

    async entries(userId, now, range): Promise<IndexEntry[]> {
      const index = prunedIndex(userId, now);
      if (!index) return [];
      // Newest lease first, ties by id descending: the order of Redis's ZREVRANGE.
      const sorted = [...index].map(([id, leaseEnd]) => ({ id, leaseEnd })).sort((a, b) => b.leaseEnd - a.leaseEnd || (a.id < b.id ? 1 : -1));
      return range ? sorted.slice(range.offset, range.offset + range.limit) : sorted;
    },

    async inspect(ids, now): Promise<Array<SessionSummary | undefined>> {
      return ids.map((id) => {
        const record = session(id, now);
        if (!record) return undefined;
        const fields = new Map<string, string>();
        for (const field of SUMMARY_FIELDS) {
          const value = record.fields.get(field);
          if (value !== undefined) fields.set(field, value);
        }
        return { fields, expiresAt: record.expiresAt };
      });
    },

    async revoke(id, userId): Promise<RevokeResult> {
      const record = records.get(id);
      if (!record?.fields.has(CREATED_AT_FIELD)) return { deleted: false };
      const owner = record.fields.get(USER_ID_FIELD);
      if (userId !== undefined && owner !== userId) return { deleted: false };
      records.delete(id);
      return { deleted: true, userId: owner };
    },

    async revokeEntry(userId, entry, now, options = {}) {
      const record = session(entry.id, now);
      if (record) {
        if (record.fields.get(USER_ID_FIELD) !== userId) return "foreign";
        if (options.onlyIfAbsent) return "live";
        records.delete(entry.id);
        return "deleted";
      }
      // A retired copy under the id is no session: the tombstone ends it (as
      // on Redis, where the tombstone field makes it unloadable).
      records.delete(entry.id);
      tombstones.set(entry.id, Math.max(entry.leaseEnd, tombstones.get(entry.id) ?? -Infinity));
      return "absent";
    },
  };

  /** Why `id` is no session record (as the Redis scripts tell it), or its record. */
  function sessionOrWhy(id: string, now: number): Record | NoRecord {
    const record = live(id, now);
    if (record?.fields.has(CREATED_AT_FIELD)) return record;
    return record?.fields.has(RETIRED_FIELD) ? "retired" : "gone";
  }

  const atomicFields: AtomicFieldStore = {
    async take(id, fields, now) {
      const record = sessionOrWhy(id, now);
      if (typeof record === "string") return record;
      return fields.map((field) => {
        const text = record.fields.get(field);
        record.fields.delete(field);
        return text;
      });
    },
    async restore(id, entries, now) {
      const record = sessionOrWhy(id, now);
      if (typeof record === "string") return;
      for (const [field, text] of entries) if (!record.fields.has(field)) record.fields.set(field, text);
    },
    async increment(id, field, by, now) {
      const record = sessionOrWhy(id, now);
      if (typeof record === "string") return { status: record };
      const sum = integerSum(record.fields.get(field), by);
      if (sum === undefined) return { status: "not-integer" };
      record.fields.set(field, sum);
      return { status: "ok", text: sum };
    },
    async compareAndSet(id, field, expected, next, now) {
      const record = sessionOrWhy(id, now);
      if (typeof record === "string") return { status: record };
      const current = record.fields.get(field);
      if (current !== expected) return { status: "mismatch", current };
      if (next === undefined) record.fields.delete(field);
      else record.fields.set(field, next);
      return { status: "ok" };
    },
  };

  function isTombstoned(id: string, now: number): boolean {
    const until = tombstones.get(id);
    if (until === undefined) return false;
    if (until > now) return true;
    tombstones.delete(id);
    return false;
  }

  // Ends are announced in process, so sockets of this process close when their session ends.
  return announcingSessionEnds<MemoryStore>({
    get size() {
      return records.size;
    },

    peek(id) {
      const record = records.get(id);
      return record && new Map(record.fields);
    },

    clear() {
      records.clear();
      indexes.clear();
      tombstones.clear();
    },

    userIndex,
    atomicFields,

    async load(id: string, now: number, policy: ExpiryPolicy): Promise<StoredSession | undefined> {
      const record = live(id, now);
      if (!record) return undefined;
      // The lease caps it too: a bound session never outlives its index entry.
      const renewal = renewalOnLoad(record.fields, record.expiresAt - now, now, policy);
      if (renewal.expired) {
        records.delete(id);
        return undefined;
      }
      if (renewal.renew) {
        record.expiresAt = now + renewal.ttlMs;
        if (renewal.touchLastSeen) record.fields.set(LAST_SEEN_FIELD, String(now));
      }
      return { fields: new Map(record.fields), expiresAt: record.expiresAt, renewed: renewal.renew };
    },

    async write(id: string, write: SessionWrite, now: number): Promise<WriteResult> {
      sweep(now);
      if (write.kind === "create") {
        if (write.replaces !== undefined) {
          if (!session(write.replaces, now)) return "gone";
        }
        if (isTombstoned(id, now)) {
          // Its user was logged out everywhere between this create's index
          // write and now: fail closed, the replaced session dies too.
          if (write.replaces !== undefined) records.delete(write.replaces);
          return "revoked";
        }
        if (live(id, now)) return "exists";
        if (write.replaces !== undefined) retire(write.replaces, write.replacedGraceMs, now);
        records.set(id, { fields: new Map(write.set), expiresAt: now + write.ttlMs });
        return "ok";
      }
      const record = live(id, now);
      if (!record) return "gone";
      if (!record.fields.has(CREATED_AT_FIELD)) return record.fields.has(RETIRED_FIELD) ? "retired" : "gone";
      for (const [field, value] of write.set) record.fields.set(field, value);
      for (const field of write.del) record.fields.delete(field);
      if (write.ttlMs !== undefined) record.expiresAt = now + write.ttlMs;
      return "ok";
    },

    async destroy(id: string): Promise<void> {
      records.delete(id);
    },
  }, localSessionEnds());
}

/** An integer's JSON text: optional minus, no leading zero (what JSON.stringify writes for one). */
const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;

/**
 * The JSON text of `text` + `by` (absent `text`: 0), or undefined when the
 * text is no integer or the sum is not a safe integer: the rule of
 * lua/increment-field.lua.
 */
function integerSum(text: string | undefined, by: number): string | undefined {
  if (text !== undefined && !INTEGER_TEXT.test(text)) return undefined;
  const sum = Number(text ?? "0") + by;
  return Number.isSafeInteger(sum) ? String(sum) : undefined;
}
