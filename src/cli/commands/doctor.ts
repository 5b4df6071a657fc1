import type { CliNode, CliRedis } from "../connect.js";
import type { CliContext } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { humanBytes, table } from "../format.js";
import { parseInfo } from "../info.js";
import { globEscape, prefixHint, scanKeys } from "../scan.js";

/** One finding of `tessera-session doctor`. */
export interface Check {
  readonly name: string;
  /** `fail`: sessions can be lost or never end; `warn`: worth a look; `ok`. */
  readonly status: "ok" | "warn" | "fail";
  readonly detail: string;
  /** The master it is about, on a Cluster (`host:port`); absent when there is one server. */
  readonly node?: string;
}

type Info = Map<string, string>;

async function info(node: CliNode, section: string): Promise<Info> {
  return parseInfo(String(await node.call("INFO", section)));
}

/** CONFIG GET, or undefined where managed services disable CONFIG. */
async function config(node: CliNode, name: string): Promise<string | undefined> {
  try {
    const reply = (await node.call("CONFIG", "GET", name)) as unknown;
    if (Array.isArray(reply)) return reply[1] === undefined ? undefined : String(reply[1]);
    if (reply && typeof reply === "object") return String((reply as Record<string, unknown>)[name] ?? "");
    return undefined;
  } catch {
    return undefined;
  }
}

function versionCheck(server: Info): Check {
  const version = server.get("valkey_version") ?? server.get("redis_version") ?? "unknown";
  const name = server.has("valkey_version") || server.get("server_name") === "valkey" ? "Valkey" : "Redis";
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (name === "Redis" && (major < 6 || (major === 6 && minor < 2))) {
    return { name: "version", status: "warn", detail: `${name} ${version} is past its end of life; Tessera is tested on Redis 7 and Valkey 8` };
  }
  return { name: "version", status: "ok", detail: `${name} ${version}` };
}

function evictionCheck(memory: Info): Check[] {
  const maxmemory = Number(memory.get("maxmemory") ?? 0);
  const policy = memory.get("maxmemory_policy") ?? "unknown";
  const used = Number(memory.get("used_memory") ?? 0);
  const checks: Check[] = [];
  if (maxmemory > 0 && policy !== "noeviction") {
    checks.push({
      name: "eviction",
      status: "fail",
      detail: `maxmemory-policy ${policy} with maxmemory ${humanBytes(maxmemory)}: under memory pressure Redis deletes keys, and since every session key has a TTL, volatile-* policies pick live sessions too. Users get logged out silently. Set maxmemory-policy noeviction (writes then fail loudly) and give Redis room.`,
    });
  } else if (maxmemory === 0 && policy !== "noeviction") {
    checks.push({ name: "eviction", status: "warn", detail: `no maxmemory, but maxmemory-policy ${policy} would evict live sessions once one is set: prefer noeviction` });
  } else if (maxmemory === 0) {
    checks.push({ name: "eviction", status: "warn", detail: "no maxmemory: Redis grows until the host runs out of memory; set one, with maxmemory-policy noeviction" });
  } else {
    checks.push({ name: "eviction", status: "ok", detail: `noeviction with maxmemory ${humanBytes(maxmemory)}` });
  }
  if (maxmemory > 0 && used / maxmemory > 0.8) {
    checks.push({ name: "memory", status: "warn", detail: `${humanBytes(used)} used of ${humanBytes(maxmemory)} (${Math.round((100 * used) / maxmemory)}%): new sessions will be refused when it is full` });
  } else {
    checks.push({ name: "memory", status: "ok", detail: `${humanBytes(used)} used${maxmemory > 0 ? ` of ${humanBytes(maxmemory)}` : ""}` });
  }
  return checks;
}

function persistenceCheck(persistence: Info, save: string | undefined): Check {
  const aof = persistence.get("aof_enabled") === "1";
  if (persistence.get("rdb_last_bgsave_status") === "err" || (aof && persistence.get("aof_last_write_status") === "err")) {
    return { name: "persistence", status: "fail", detail: "the last RDB save or AOF write failed: check the Redis log and disk" };
  }
  const rdb = save === undefined ? undefined : save.trim() !== "";
  if (!aof && rdb === false) {
    return { name: "persistence", status: "warn", detail: "neither AOF nor RDB snapshots: a Redis restart logs every user out" };
  }
  const parts = [aof ? `AOF (appendfsync ${persistence.get("aof_fsync") ?? "see config"})` : "", rdb ? `RDB (save ${save})` : ""].filter(Boolean);
  if (rdb === undefined && !aof) return { name: "persistence", status: "warn", detail: "AOF off; RDB schedule unknown (CONFIG is disabled here)" };
  return { name: "persistence", status: "ok", detail: parts.join(" + ") };
}

async function latencyCheck(node: CliNode): Promise<Check> {
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    const start = process.hrtime.bigint();
    await node.call("PING");
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  const worst = samples[samples.length - 1]!;
  const detail = `PING round trip median ${median.toFixed(2)} ms, worst ${worst.toFixed(2)} ms (every request with a session cookie waits for one)`;
  return { name: "latency", status: median > 5 ? "warn" : "ok", detail };
}

/** Keys sampled for the keyspace check: at most this many SCAN calls of 1000. */
const SAMPLE_CALLS = 10;

/** `keys=…,expires=…` of one database, summed over the masters. */
function keyspaceLine(keyspaces: readonly Info[], db: string): string {
  const sums = new Map<string, number>([["keys", 0], ["expires", 0]]);
  for (const keyspace of keyspaces) {
    for (const part of (keyspace.get(`db${db}`) ?? "").split(",")) {
      const [name, value] = part.split("=");
      if (name !== undefined && sums.has(name)) sums.set(name, sums.get(name)! + Number(value));
    }
  }
  return [...sums].map(([name, value]) => `${name}=${value}`).join(",");
}

async function keyspaceCheck(redis: CliRedis, keyspaces: readonly Info[], db: string): Promise<Check[]> {
  const dbLine = keyspaceLine(keyspaces, db);
  const sampled: Array<{ key: string; node: CliNode }> = [];
  await scanKeys(redis, { match: `${globEscape(redis.prefix)}s:*`, maxCalls: SAMPLE_CALLS }, async (keys, node) => {
    sampled.push(...keys.map((key) => ({ key, node })));
  });
  if (sampled.length === 0) {
    return [{ name: "keyspace", status: "warn", detail: `db${db}: ${dbLine}; no sessions under prefix ${JSON.stringify(redis.prefix)} in a sample${await prefixHint(redis)}` }];
  }
  const ttls = await Promise.all(sampled.map(({ key, node }) => node.call("PTTL", key)));
  const forever = ttls.filter((ttl) => Number(ttl) === -1).length;
  const checks: Check[] = [{ name: "keyspace", status: "ok", detail: `db${db}: ${dbLine}; sampled ${sampled.length} sessions under ${JSON.stringify(redis.prefix)}` }];
  if (forever > 0) {
    checks.push({ name: "session TTLs", status: "fail", detail: `${forever} of ${sampled.length} sampled session keys have no TTL and never expire` });
  }
  return checks;
}

function roleCheck(replication: Info): Check[] {
  if (replication.get("role") !== "slave") return [];
  return [{ name: "role", status: "warn", detail: "connected to a replica: it is read-only, so revoking fails here; point at the master" }];
}

/** What the URL led to: a Cluster's masters, or the master a Sentinel named. */
function topologyCheck(redis: CliRedis, masters: readonly CliNode[]): Check[] {
  if (redis.topology === "cluster") {
    return [{ name: "cluster", status: "ok", detail: `${masters.length} masters, each checked and scanned: ${masters.map((m) => m.address).join(", ")}` }];
  }
  if (redis.topology === "sentinel") {
    return [{ name: "sentinel", status: "ok", detail: `the Sentinel at ${redis.target} names ${masters[0]?.address ?? "?"} as master` }];
  }
  return [];
}

/** The checks of one server. */
async function serverChecks(node: CliNode): Promise<{ checks: Check[]; keyspace: Info }> {
  const [server, memory, persistence, keyspace, replication] = await Promise.all(
    ["server", "memory", "persistence", "keyspace", "replication"].map((section) => info(node, section)),
  );
  const checks = [
    versionCheck(server!),
    await latencyCheck(node),
    ...evictionCheck(memory!),
    persistenceCheck(persistence!, await config(node, "save")),
    ...roleCheck(replication!),
  ];
  return { checks, keyspace: keyspace! };
}

/**
 * Runs every check against the Redis the CLI points at: the server checks
 * on each master (named by `node` on a Cluster), then the keyspace sample
 * across all of them.
 */
export async function runChecks(redis: CliRedis, db: string): Promise<Check[]> {
  const masters = await redis.masters();
  const checks: Check[] = [];
  const keyspaces: Info[] = [];
  for (const node of masters) {
    const result = await serverChecks(node);
    checks.push(...result.checks.map((check) => (masters.length > 1 ? { ...check, node: node.address } : check)));
    keyspaces.push(result.keyspace);
  }
  return [...checks, ...topologyCheck(redis, masters), ...(await keyspaceCheck(redis, keyspaces, db))];
}

/** The database number in a Redis URL's path (`redis://host/2`), default 0. */
function dbOf(url: string): string {
  try {
    return /^\/(\d+)/.exec(new URL(url).pathname)?.[1] ?? "0";
  } catch {
    return "0";
  }
}

/**
 * `tessera-session doctor`: checks the Redis the CLI points at for what can lose
 * sessions (eviction, failed persistence, keys without TTL) or slow every
 * request (latency), and reports version, keyspace and role.
 *
 * @throws CliError FAILED when a check fails (after printing every check).
 */
export async function doctorCommand(ctx: CliContext): Promise<void> {
  const checks = await ctx.withRedis((redis) => runChecks(redis, dbOf(ctx.redisUrl)));
  const failed = checks.filter((c) => c.status === "fail");
  if (ctx.json) ctx.outJson({ ok: failed.length === 0, checks });
  else if (checks.some((c) => c.node !== undefined)) {
    ctx.out(...table(["CHECK", "NODE", "STATUS", "DETAIL"], checks.map((c) => [c.name, c.node ?? "-", c.status.toUpperCase(), c.detail])));
  } else ctx.out(...table(["CHECK", "STATUS", "DETAIL"], checks.map((c) => [c.name, c.status.toUpperCase(), c.detail])));
  if (failed.length > 0) throw new CliError(EXIT.FAILED, `${failed.length} check${failed.length === 1 ? "" : "s"} failed: ${failed.map((c) => (c.node === undefined ? c.name : `${c.name} (${c.node})`)).join(", ")}`);
}
