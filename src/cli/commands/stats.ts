import { createHash } from "node:crypto";
import { CREATED_AT_FIELD, USER_ID_FIELD } from "../../core/record-fields.js";
import type { CliNode, CliRedis } from "../connect.js";
import type { CliContext } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { humanBytes, humanDuration, table } from "../format.js";
import { parseInfo } from "../info.js";
import { globEscape, prefixHint, scanKeys } from "../scan.js";

/**
 * One session key's facts in one command (the key is declared, so it runs
 * on Cluster too): TTL, memory, field count, bound user, and whether it is
 * a session at all (a revoke's tombstone has no created-at field).
 */
const SESSION_STATS = `
return { redis.call('PTTL', KEYS[1]), redis.call('MEMORY', 'USAGE', KEYS[1]) or 0, redis.call('HLEN', KEYS[1]), redis.call('HGET', KEYS[1], '${USER_ID_FIELD}'), redis.call('HEXISTS', KEYS[1], '${CREATED_AT_FIELD}') }
`;
/** One index key's facts: entry count and memory. */
const INDEX_STATS = `
return { redis.call('ZCARD', KEYS[1]), redis.call('MEMORY', 'USAGE', KEYS[1]) or 0 }
`;

/** SCAN batches whose per-key facts may be pending at once. */
const BATCHES_IN_FLIGHT = 8;

/** TTL buckets, upper bounds exclusive, in ms. */
const TTL_BUCKETS: ReadonlyArray<{ label: string; maxMs: number }> = [
  { label: "< 1m", maxMs: 60_000 },
  { label: "1m – 5m", maxMs: 5 * 60_000 },
  { label: "5m – 30m", maxMs: 30 * 60_000 },
  { label: "30m – 2h", maxMs: 2 * 3600_000 },
  { label: "2h – 24h", maxMs: 24 * 3600_000 },
  { label: ">= 24h", maxMs: Infinity },
];

/** Options of `tessera-session stats`. */
export interface StatsOptions {
  /** How many of the biggest sessions to show. */
  top: number;
}

/** What `tessera-session stats --json` prints. */
export interface StatsReport {
  prefix: string;
  sessions: { count: number; bound: number; users: number; bytes: number; noExpiry: number };
  indexes: { count: number; entries: number; bytes: number };
  otherKeys: number;
  ttl: Array<{ bucket: string; count: number }>;
  biggest: Array<{ id: string; bytes: number; fields: number; ttlMs: number | null; userId: string | null }>;
  /** `used_memory` summed over the masters scanned. */
  usedMemoryBytes: number | null;
  /** How many masters were scanned: 1, or each master of a Cluster. */
  masters: number;
  scanMs: number;
}

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/**
 * EVALSHA with one EVAL fallback (a server that has not seen the script
 * yet), on the node SCAN found the key on: that node holds it.
 */
async function runScript(node: CliNode, source: string, key: string): Promise<unknown[]> {
  try {
    return (await node.call("EVALSHA", sha1(source), 1, key)) as unknown[];
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
    return (await node.call("EVAL", source, 1, key)) as unknown[];
  }
}

/**
 * Scans every key under the prefix once (SCAN, in batches, each master of
 * a Cluster in turn, each batch's per-key facts fetched in one pipelined
 * round trip from the node holding them) and sums them up.
 */
export async function collectStats(ctx: CliContext, redis: CliRedis, options: StatsOptions): Promise<StatsReport> {
  const started = Date.now();
  const sessionPrefix = `${redis.prefix}s:`;
  const indexPrefix = `${redis.prefix}u:`;
  // Load both scripts once per master, so the batches below never meet NOSCRIPT.
  const masters = await redis.masters();
  for (const node of masters) {
    await node.call("SCRIPT", "LOAD", SESSION_STATS);
    await node.call("SCRIPT", "LOAD", INDEX_STATS);
  }
  const seen = new Set<string>(); // SCAN may return a key twice while Redis resizes its table
  const users = new Set<string>();
  const report: StatsReport = {
    prefix: redis.prefix,
    sessions: { count: 0, bound: 0, users: 0, bytes: 0, noExpiry: 0 },
    indexes: { count: 0, entries: 0, bytes: 0 },
    otherKeys: 0,
    ttl: TTL_BUCKETS.map((b) => ({ bucket: b.label, count: 0 })),
    biggest: [],
    usedMemoryBytes: null,
    masters: masters.length,
    scanMs: 0,
  };
  const biggest = report.biggest;

  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const processBatch = async (batch: string[], node: CliNode): Promise<void> => {
    const keys = batch.filter((key) => !seen.has(key));
    for (const key of keys) seen.add(key);
    const sessionKeys = keys.filter((key) => key.startsWith(sessionPrefix));
    const indexKeys = keys.filter((key) => key.startsWith(indexPrefix));
    report.otherKeys += keys.length - sessionKeys.length - indexKeys.length;
    const [sessionFacts, indexFacts] = await Promise.all([
      Promise.all(sessionKeys.map((key) => runScript(node, SESSION_STATS, key))),
      Promise.all(indexKeys.map((key) => runScript(node, INDEX_STATS, key))),
    ]);
    sessionFacts.forEach((facts, i) => {
      const ttlMs = Number(facts[0]);
      if (ttlMs === -2) return; // expired between SCAN and now
      if (Number(facts[4]) !== 1) {
        report.otherKeys++; // a tombstone "log out everywhere" left, or not a record Tessera wrote
        return;
      }
      const bytes = Number(facts[1]);
      const userId = facts[3] === null || facts[3] === undefined ? null : String(facts[3]);
      report.sessions.count++;
      report.sessions.bytes += bytes;
      if (userId !== null) {
        report.sessions.bound++;
        users.add(userId);
      }
      if (ttlMs === -1) report.sessions.noExpiry++;
      else report.ttl[TTL_BUCKETS.findIndex((b) => ttlMs < b.maxMs)]!.count++;
      if (options.top > 0 && (biggest.length < options.top || bytes > biggest[biggest.length - 1]!.bytes)) {
        biggest.push({ id: sessionKeys[i]!.slice(sessionPrefix.length), bytes, fields: Number(facts[2]), ttlMs: ttlMs < 0 ? null : ttlMs, userId });
        biggest.sort((a, b) => b.bytes - a.bytes);
        if (biggest.length > options.top) biggest.pop();
      }
    });
    for (const facts of indexFacts) {
      report.indexes.count++;
      report.indexes.entries += Number(facts[0]);
      report.indexes.bytes += Number(facts[1]);
    }
  };
  await scanKeys(redis, { match: `${globEscape(redis.prefix)}*`, progress: ctx.stderr as NodeJS.WriteStream, label: "scanning" }, async (batch, node) => {
    // Several batches in flight: the next SCAN and the facts of earlier
    // batches travel together instead of one round trip after another.
    const work = processBatch(batch, node).catch((error: unknown) => void (failure ??= error));
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
    if (inFlight.size >= BATCHES_IN_FLIGHT) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
  });
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  report.sessions.users = users.size;
  let used = 0;
  for (const node of masters) used += Number(parseInfo(String(await node.call("INFO", "memory"))).get("used_memory"));
  report.usedMemoryBytes = Number.isFinite(used) ? used : null;
  report.scanMs = Date.now() - started;
  return report;
}

/** The report for people, as lines. */
function render(report: StatsReport): string[] {
  const s = report.sessions;
  const average = s.count > 0 ? Math.round(s.bytes / s.count) : 0;
  const lines = [
    `Sessions under ${JSON.stringify(report.prefix)}: ${s.count}`,
    `  bound to a user:  ${s.bound} (${s.users} distinct user${s.users === 1 ? "" : "s"})`,
    `  memory:           ${humanBytes(s.bytes)} (average ${humanBytes(average)} per session)`,
    ...(s.noExpiry > 0 ? [`  WITHOUT EXPIRY:   ${s.noExpiry} (these never end: written by something other than Tessera?)`] : []),
    `User indexes:       ${report.indexes.count} (${report.indexes.entries} entries, ${humanBytes(report.indexes.bytes)})`,
    `Other keys:         ${report.otherKeys}`,
    ...(report.usedMemoryBytes === null ? [] : [`Redis used_memory:  ${humanBytes(report.usedMemoryBytes)}${report.masters > 1 ? ` (${report.masters} masters)` : ""}`]),
    "",
    "Time to live",
    ...table(["TTL", "SESSIONS", "SHARE"], report.ttl.map((b) => [b.bucket, String(b.count), s.count ? `${((100 * b.count) / s.count).toFixed(1)}%` : "-"]), ["left", "right", "right"]),
  ];
  if (report.biggest.length > 0) {
    lines.push(
      "",
      "Biggest sessions",
      ...table(
        ["ID", "SIZE", "FIELDS", "TTL", "USER"],
        report.biggest.map((b) => [b.id, humanBytes(b.bytes), String(b.fields), b.ttlMs === null ? "none" : humanDuration(b.ttlMs), b.userId ?? "-"]),
        ["left", "right", "right", "right", "left"],
      ),
    );
  }
  lines.push("", `Scanned ${report.masters === 1 ? "" : `${report.masters} masters `}in ${(report.scanMs / 1000).toFixed(1)} s.`);
  return lines;
}

/**
 * `tessera-session stats`: session count, memory, TTL distribution and the biggest
 * sessions under the prefix, from one SCAN of the keyspace.
 *
 * @throws CliError NOT_FOUND when there are no sessions under the prefix.
 */
export async function statsCommand(ctx: CliContext, options: StatsOptions): Promise<void> {
  if (!Number.isInteger(options.top) || options.top < 0) throw new CliError(EXIT.USAGE, "--top must be a whole number");
  await ctx.withRedis(async (redis) => {
    const report = await collectStats(ctx, redis, options);
    if (report.sessions.count === 0) {
      throw new CliError(EXIT.NOT_FOUND, `no sessions under prefix ${JSON.stringify(redis.prefix)}${await prefixHint(redis)}`);
    }
    if (ctx.json) ctx.outJson(report);
    else ctx.out(...render(report));
  });
}
