import type { UpdateWrite, WriteResult } from "../../core/store.js";
import type { RedisPort } from "./client.js";
import { coalesced } from "./coalesce.js";
import { UPDATE_MANY_SCRIPT, WRITE_SCRIPT } from "./scripts.js";
import { writeArguments } from "./write-arguments.js";

/** A flat HGETALL reply ([field, value, ...]) as a field map; empty for anything else. */
export function pairsToMap(flat: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  if (!Array.isArray(flat)) return fields;
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), String(flat[i + 1]));
  return fields;
}

/** HGETALL's object as a field map. */
function hashToMap(hash: Record<string, string>): Map<string, string> {
  const fields = new Map<string, string>();
  for (const field of Object.keys(hash)) fields.set(field, hash[field]!);
  return fields;
}

/** Whether calls may be coalesced (`redisStore`'s `coalesce` option). */
export interface CoalesceOptions {
  readonly coalesce: boolean;
  /** Told the size of each coalesced batch sent (see `CoalescedCommand.onBatch`). */
  readonly onBatch?: (size: number) => void;
}

/**
 * Reads a session hash: an empty map when it does not exist. Every read is
 * a plain HGETALL: inside a script it would cost Redis more (the reply
 * goes through a Lua table) and save it no I/O. Off Cluster, the reads of
 * one event-loop turn reach Redis in one write: a client that batches by
 * itself (node-redis, ioredis with `enableAutoPipelining`) does it, and for
 * any other the store sends them as one pipeline (`coalesced`); a lone read
 * is a plain HGETALL either way.
 *
 * @example
 * ```ts
 * const read = sessionHashReader(port, { coalesce: true });
 * const fields = await read("tessera:s:0a1b...");
 * ```
 */
export function sessionHashReader(port: RedisPort, options: CoalesceOptions): (key: string) => Promise<Map<string, string>> {
  const one = async (key: string): Promise<Map<string, string>> => hashToMap(await port.hgetall(key));
  if (port.isCluster || !options.coalesce || port.batchesByItself) return one;
  return coalesced({
    one,
    onBatch: options.onBatch,
    many: async (keys) => (await port.hgetallMany(keys)).map(hashToMap),
  });
}

/**
 * The fewest updates sent as one UPDATE_MANY_SCRIPT: below it, each goes
 * through WRITE_SCRIPT on its own, which costs Redis less per update for
 * small batches (bench/redis-script-costs.ts; docs/performance.md).
 */
export const MIN_UPDATES_PER_SCRIPT = 8;

/** An update of one session hash: the hash's key and the write. */
export interface SessionHashUpdate {
  readonly key: string;
  readonly write: UpdateWrite;
}

/**
 * Applies an update to a session hash, refused ("gone") when the hash no
 * longer exists. Off Cluster, the updates of one event-loop turn are
 * coalesced: at least {@link MIN_UPDATES_PER_SCRIPT} of them share one
 * command, where the script's per-call cost is spread thin enough to pay;
 * fewer are sent one by one, like a lone update. With `waitForReplicas`, a
 * shared command's WAIT covers all of its updates. Every path sends each
 * update as `writeArguments` lays it out.
 *
 * @example
 * ```ts
 * const update = sessionHashUpdater(port, { coalesce: true });
 * await update({ key: "tessera:s:0a1b...", write: { kind: "update", set: [["cart", "[]"]], del: [] } }); // "ok" | "gone"
 * ```
 */
export function sessionHashUpdater(port: RedisPort, options: CoalesceOptions): (update: SessionHashUpdate) => Promise<WriteResult> {
  const one = async (update: SessionHashUpdate): Promise<WriteResult> =>
    (await port.write(WRITE_SCRIPT, [update.key], writeArguments(update.write))) as WriteResult;
  if (port.isCluster || !options.coalesce) return one;
  return coalesced({
    one,
    minItemsPerCommand: MIN_UPDATES_PER_SCRIPT,
    onBatch: options.onBatch,
    many: async (updates) => {
      const args: string[] = [];
      for (const update of updates) for (const arg of writeArguments(update.write)) args.push(arg);
      const results = await port.write(UPDATE_MANY_SCRIPT, updates.map((update) => update.key), args);
      return Array.isArray(results) ? (results as WriteResult[]) : [];
    },
  });
}
