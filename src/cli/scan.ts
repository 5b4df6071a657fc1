import { SingleBar } from "cli-progress";
import type { CliNode, CliRedis } from "./connect.js";
import { onInterrupt, TERMINAL_RESET } from "./interrupt.js";

/** Escapes glob characters so a prefix matches only itself in SCAN MATCH. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * How far a SCAN has got, from its cursor alone, in [0, 1). Redis walks
 * its hash table in reverse-binary order, so the cursor with its 64 bits
 * reversed grows steadily from 0 to 2^64 whatever the table size.
 */
export function scanProgress(cursor: string): number {
  let value = BigInt(cursor);
  let reversed = 0n;
  for (let bit = 0; bit < 64; bit++) {
    reversed = (reversed << 1n) | (value & 1n);
    value >>= 1n;
  }
  return Number(reversed) / 2 ** 64;
}

/** Options of {@link scanKeys}. */
export interface ScanOptions {
  /** SCAN MATCH pattern (already escaped). */
  match: string;
  /** Keys asked per SCAN call. Default 1000. */
  count?: number;
  /** Stop after this many SCAN calls per master (a bounded probe). Default: until the scan is complete. */
  maxCalls?: number;
  /** Show a progress bar on this stream when it is a TTY. */
  progress?: NodeJS.WriteStream;
  /** Label of the progress bar. */
  label?: string;
}

/**
 * Walks the keyspace with SCAN (never KEYS, which blocks Redis), master
 * after master on a Cluster (each holds its own slots' keys), handing each
 * batch of keys, with the node that holds them, to `onBatch` before asking
 * for the next: memory stays flat and work overlaps the scan. SCAN may
 * report a key twice; callers that count must deduplicate or accept it
 * (`stats` deduplicates).
 *
 * @example
 * ```ts
 * await scanKeys(redis, { match: "myapp:s:*" }, async (keys) => { total += keys.length; });
 * ```
 */
export async function scanKeys(
  redis: CliRedis,
  options: ScanOptions,
  onBatch: (keys: string[], node: CliNode) => Promise<void>,
): Promise<{ complete: boolean }> {
  const masters = await redis.masters();
  const bar =
    options.progress?.isTTY === true
      ? new SingleBar({
          stream: options.progress,
          format: `${options.label ?? "scanning"} [{bar}] {percentage}% | {keys} keys | {duration}s`,
          hideCursor: true,
          clearOnComplete: true,
        })
      : undefined;
  bar?.start(1000, 0, { keys: 0 });
  // The bar hides the cursor and turns line wrap off: a Ctrl-C must give both back.
  const release = bar
    ? onInterrupt(() => {
        bar.stop();
        options.progress!.write(`${TERMINAL_RESET}\n`);
      })
    : undefined;
  let seen = 0;
  let complete = true;
  try {
    for (const [index, node] of masters.entries()) {
      let cursor = "0";
      let calls = 0;
      do {
        const reply = (await node.call("SCAN", cursor, "MATCH", options.match, "COUNT", options.count ?? 1000)) as [string, string[]];
        cursor = String(reply[0]);
        const keys = reply[1].map(String);
        seen += keys.length;
        calls++;
        if (keys.length > 0) await onBatch(keys, node);
        const done = cursor === "0" ? 1 : scanProgress(cursor);
        bar?.update(Math.floor(((index + done) / masters.length) * 1000), { keys: seen });
      } while (cursor !== "0" && (options.maxCalls === undefined || calls < options.maxCalls));
      if (cursor !== "0") complete = false;
    }
  } finally {
    bar?.stop();
    release?.();
  }
  return { complete };
}

/** Probe size for {@link prefixHint}: at most this many SCAN calls of 1000. */
const PROBE_CALLS = 20;
// A Tessera session key: <prefix>s:<base64url id> (ids have been 16 or 22 characters long).
const SESSION_KEY = /^(.*)s:[A-Za-z0-9_-]{16,22}$/;

/**
 * When nothing was found under a prefix: a hint saying whether the prefix
 * is used at all, and which prefixes do hold Tessera session keys. Looks at
 * a bounded sample of the keyspace only.
 */
export async function prefixHint(redis: CliRedis): Promise<string> {
  let used = false;
  await scanKeys(redis, { match: `${globEscape(redis.prefix)}*`, maxCalls: PROBE_CALLS }, async () => {
    used = true;
  });
  if (used) return "";
  const others = new Set<string>();
  await scanKeys(redis, { match: "*s:*", maxCalls: PROBE_CALLS }, async (keys) => {
    for (const key of keys) {
      const prefix = SESSION_KEY.exec(key)?.[1];
      if (prefix !== undefined && others.size < 5) others.add(prefix);
    }
  });
  const found = [...others].map((p) => JSON.stringify(p)).join(", ");
  return found
    ? `; no keys use prefix ${JSON.stringify(redis.prefix)}, but sessions were found under ${found}: is --prefix right?`
    : `; no keys use prefix ${JSON.stringify(redis.prefix)}: is --prefix right?`;
}
