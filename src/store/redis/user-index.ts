import type { EntryRevokeResult, IndexEntry, RevokeResult, SessionSummary, UserIndexStore } from "../../core/store.js";
import { SUMMARY_FIELDS } from "../../core/record-fields.js";
import type { RedisPort } from "./client.js";
import { INDEX_ADD_SCRIPT, INDEX_ENTRIES_SCRIPT, INDEX_REMOVE_SCRIPT, INSPECT_SCRIPT, REVOKE_ENTRY_SCRIPT, REVOKE_SCRIPT } from "./scripts.js";

function toSummary(reply: unknown, now: number): SessionSummary | undefined {
  if (!Array.isArray(reply)) return undefined;
  const [ttl, ...values] = reply as unknown[];
  const fields = new Map<string, string>();
  SUMMARY_FIELDS.forEach((field, i) => {
    const value = values[i];
    if (value !== null && value !== undefined) fields.set(field, String(value));
  });
  const ttlMs = Number(ttl);
  return { fields, expiresAt: ttlMs < 0 ? Infinity : now + ttlMs };
}

/**
 * The per-user index on Redis: one sorted set per user (member = session
 * id, score = lease end). Every call is one Lua script on one key; `inspect`
 * sends one script per session at once, so the client pipelines them into
 * one round trip (and on a Cluster each goes to its own node).
 *
 * @example
 * ```ts
 * const index = redisUserIndex(port, (id) => `app:s:${id}`, (user) => `app:u:${user}`);
 * await index.add("user-42", sessionId, leaseEnd, Date.now());
 * ```
 */
export function redisUserIndex(
  port: RedisPort,
  sessionKey: (id: string) => string,
  userKey: (userId: string) => string,
): UserIndexStore {
  return {
    async add(userId, id, leaseEnd, now, removeIds = []) {
      const reply = await port.write(INDEX_ADD_SCRIPT, [userKey(userId)], [String(now), id, String(Math.ceil(leaseEnd)), ...removeIds]);
      return Number(reply);
    },

    async remove(userId, ids) {
      if (ids.length === 0) return;
      await port.write(INDEX_REMOVE_SCRIPT, [userKey(userId)], ids);
    },

    async entries(userId, now, range): Promise<IndexEntry[]> {
      const [first, last] = range ? [range.offset, range.offset + range.limit - 1] : [0, -1];
      if (range && range.limit <= 0) return [];
      const flat = (await port.run(INDEX_ENTRIES_SCRIPT, [userKey(userId)], [String(now), String(first), String(last)])) as unknown[];
      const entries: IndexEntry[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ id: String(flat[i]), leaseEnd: Number(flat[i + 1]) });
      return entries;
    },

    async inspect(ids, now) {
      // Issued together: the client writes them back to back (one round trip).
      const replies = await Promise.all(ids.map((id) => port.run(INSPECT_SCRIPT, [sessionKey(id)], SUMMARY_FIELDS)));
      return replies.map((reply) => toSummary(reply, now));
    },

    async revoke(id, userId): Promise<RevokeResult> {
      const reply = await port.write(REVOKE_SCRIPT, [sessionKey(id)], userId === undefined ? ["0", ""] : ["1", userId]);
      if (reply === null || reply === undefined) return { deleted: false };
      const owner = String(reply);
      return { deleted: true, userId: owner === "" ? undefined : owner };
    },

    async revokeEntry(userId, entry, now, options = {}): Promise<EntryRevokeResult> {
      const args = [userId, String(now), String(Math.ceil(entry.leaseEnd)), options.onlyIfAbsent ? "1" : "0"];
      return String(await port.write(REVOKE_ENTRY_SCRIPT, [sessionKey(entry.id)], args)) as EntryRevokeResult;
    },
  };
}
