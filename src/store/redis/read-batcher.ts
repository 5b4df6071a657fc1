import type { RedisPort } from "./client.js";
import { READ_MANY_SCRIPT } from "./scripts.js";

/** Most keys one coalesced read carries: bounds the time Redis spends in one script. */
export const MAX_KEYS_PER_READ = 64;

interface PendingRead {
  readonly key: string;
  resolve(fields: Map<string, string>): void;
  reject(error: unknown): void;
}

/** A flat HGETALL reply ([field, value, ...]) as a field map. */
function pairsToMap(flat: unknown): Map<string, string> {
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

/**
 * Reads session hashes, coalescing the reads requested in one event-loop
 * turn into one command. Under load, most of a read's cost in the app is the
 * Redis client's per-command work (command object, promise, reply
 * bookkeeping), not the bytes: N concurrent requests' reads sent as one
 * script carrying N keys cost the client and Redis a fraction of N HGETALLs
 * (measured in bench/). A lone read is still a plain HGETALL, so a quiet app
 * sends exactly what it did before. Off Cluster only: one script's keys must
 * share a slot, and sessions' keys do not.
 *
 * @example
 * ```ts
 * const read = hashReader(port);
 * const fields = await read("tessera:s:0a1b..."); // empty map when missing
 * ```
 */
export function hashReader(port: RedisPort): (key: string) => Promise<Map<string, string>> {
  if (port.isCluster) return async (key) => hashToMap(await port.hgetall(key));
  let pending: PendingRead[] = [];

  function send(batch: readonly PendingRead[]): void {
    if (batch.length === 1) {
      const [read] = batch;
      port.hgetall(read!.key).then((hash) => read!.resolve(hashToMap(hash)), read!.reject);
      return;
    }
    port.run(READ_MANY_SCRIPT, batch.map((read) => read.key), []).then(
      (replies) => {
        const hashes = Array.isArray(replies) ? replies : [];
        batch.forEach((read, i) => read.resolve(pairsToMap(hashes[i])));
      },
      (error: unknown) => {
        for (const read of batch) read.reject(error);
      },
    );
  }

  function flush(): void {
    const all = pending;
    pending = [];
    for (let start = 0; start < all.length; start += MAX_KEYS_PER_READ) send(all.slice(start, start + MAX_KEYS_PER_READ));
  }

  return (key) =>
    new Promise((resolve, reject) => {
      // setImmediate, not a microtask: the requests that arrive together are
      // handled in separate callbacks of one poll phase, and all of them run
      // before the check phase.
      if (pending.length === 0) setImmediate(flush);
      pending.push({ key, resolve, reject });
    });
}
