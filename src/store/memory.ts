import { CREATED_AT_FIELD, targetTtlMs } from "../core/store.js";
import type { ExpiryPolicy, SessionStore, SessionWrite, StoredSession, WriteResult } from "../core/store.js";

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
  /** Removes every record. */
  clear(): void;
}

/** How many writes between full sweeps of expired records. */
const SWEEP_EVERY_WRITES = 1000;

/**
 * A session store in this process's memory, for tests and single-process
 * development. Sessions are not shared between processes and vanish on
 * restart: use `redisStore` for anything else. Expiry follows the `now`
 * the manager passes in, so a fake clock drives it in tests.
 *
 * @example
 * ```ts
 * import { memoryStore } from "tessera/memory";
 * const sessions = createSessionManager({ store: memoryStore() });
 * ```
 */
export function memoryStore(): MemoryStore {
  const records = new Map<string, Record>();
  let writesSinceSweep = 0;

  function live(id: string, now: number): Record | undefined {
    const record = records.get(id);
    if (record && record.expiresAt <= now) {
      records.delete(id);
      return undefined;
    }
    return record;
  }

  function sweep(now: number): void {
    if (++writesSinceSweep < SWEEP_EVERY_WRITES) return;
    writesSinceSweep = 0;
    for (const [id, record] of records) if (record.expiresAt <= now) records.delete(id);
  }

  return {
    get size() {
      return records.size;
    },

    peek(id) {
      const record = records.get(id);
      return record && new Map(record.fields);
    },

    clear() {
      records.clear();
    },

    async load(id: string, now: number, policy: ExpiryPolicy): Promise<StoredSession | undefined> {
      const record = live(id, now);
      if (!record) return undefined;
      const createdAt = Number(record.fields.get(CREATED_AT_FIELD));
      const target = targetTtlMs(createdAt, now, policy);
      if (target <= 0) {
        records.delete(id);
        return undefined;
      }
      let renewed = false;
      if (now + target - record.expiresAt >= policy.renewIntervalMs) {
        record.expiresAt = now + target;
        renewed = true;
      }
      return { fields: new Map(record.fields), expiresAt: record.expiresAt, renewed };
    },

    async write(id: string, write: SessionWrite, now: number): Promise<WriteResult> {
      sweep(now);
      if (write.kind === "create") {
        if (write.replaces !== undefined) {
          if (!live(write.replaces, now)) return "gone";
        }
        if (live(id, now)) return "exists";
        if (write.replaces !== undefined) records.delete(write.replaces);
        records.set(id, { fields: new Map(write.set), expiresAt: now + write.ttlMs });
        return "ok";
      }
      const record = live(id, now);
      if (!record) return "gone";
      for (const [field, value] of write.set) record.fields.set(field, value);
      for (const field of write.del) record.fields.delete(field);
      record.expiresAt = now + write.ttlMs;
      return "ok";
    },

    async destroy(id: string): Promise<void> {
      records.delete(id);
    },
  };
}
