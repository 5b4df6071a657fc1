// What Tessera's Redis commands cost redis-server, beside the floor's, with
// no app in the way: each variant sends the same number of session reads or
// updates to its own redis-server-side keys, in batches like auto-pipelining
// sends them, and reads redis-server's CPU (INFO cpu: command work plus I/O)
// and INFO commandstats (command work only) per session operation.
//
//   npx tsx bench/redis-script-costs.ts [operations = 40000] [batch = 8]
import { Redis } from "ioredis";
import { startRedisServer } from "../test/support/redis-server.js";
import { LOAD_SCRIPT, UPDATE_MANY_SCRIPT, WRITE_SCRIPT, luaScript } from "../src/store/redis/scripts.js";
import { writeArguments } from "../src/store/redis/write-arguments.js";
import { RedisProbe, diffStats } from "./lib/redis-probe.js";

/** The floor's write (bench/apps/shared/floor.js). */
const FLOOR_WRITE = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return redis.call('PEXPIRE', KEYS[1], ARGV[3])";
const USER = '{"id":1234,"name":"ada"}';
const IDLE_MS = 30 * 60 * 1000;
/** The coalesced-read script Tessera used before plain pipelined HGETALLs, kept here for comparison. */
const READ_MANY_SCRIPT = luaScript(`
local hashes = {}
for i, key in ipairs(KEYS) do hashes[i] = redis.call('HGETALL', key) end
return hashes
`);
/** A one-field update as the store lays it out (writeArguments), without and with a TTL move. */
const UPDATE = writeArguments({ kind: "update", set: [["hits", "2"]], del: [] });
const UPDATE_TTL = writeArguments({ kind: "update", set: [["hits", "2"]], del: [], ttlMs: IDLE_MS });

async function main(): Promise<void> {
  const operations = Number(process.argv[2] ?? 40_000);
  const batch = Number(process.argv[3] ?? 8);
  const redis = await startRedisServer();
  const probe = new RedisProbe(redis.url);
  // Auto-pipelining off: each variant decides itself what goes in one write.
  const client = new Redis(redis.url, { enableAutoPipelining: false });
  const floorSha = String(await client.script("LOAD", FLOOR_WRITE));
  for (const script of [LOAD_SCRIPT, READ_MANY_SCRIPT, UPDATE_MANY_SCRIPT, WRITE_SCRIPT]) await client.script("LOAD", script.source);
  const keys = Array.from({ length: batch }, (_, i) => `p:s:${String(i).padStart(16, "0")}`);
  const now = Date.now();
  for (const key of keys) await client.hset(key, "@c", String(now), "user", USER, "hits", "1");
  for (const key of keys) await client.pexpire(key, IDLE_MS);

  /** One batch of `batch` session operations, as one pipeline (one write, one read). */
  const variants: Record<string, () => Promise<unknown>> = {
    "read: HGETALL per session (floor; Tessera coalesce: false)": () => client.pipeline(keys.map((key) => ["hgetall", key])).exec(),
    "read: READ_MANY_SCRIPT, one EVALSHA for the batch (coalesce: true)": () => client.evalsha(READ_MANY_SCRIPT.sha, keys.length, ...keys),
    "read: LOAD_SCRIPT per session (renewal due / first read)": () =>
      client.pipeline(keys.map((key) => ["evalsha", LOAD_SCRIPT.sha, 1, key, String(Date.now()), String(IDLE_MS), "0", "60000"])).exec(),
    "write: floor EVALSHA (HSET + PEXPIRE) per session": () => client.pipeline(keys.map((key) => ["evalsha", floorSha, 1, key, "hits", "2", String(IDLE_MS)])).exec(),
    "write: HSET + PEXPIRE plain, per session": () => client.pipeline(keys.flatMap((key) => [["hset", key, "hits", "2"], ["pexpire", key, String(IDLE_MS)]])).exec(),
    "write: WRITE_SCRIPT update, no TTL, per session": () => client.pipeline(keys.map((key) => ["evalsha", WRITE_SCRIPT.sha, 1, key, ...UPDATE])).exec(),
    "write: WRITE_SCRIPT update with TTL, per session": () => client.pipeline(keys.map((key) => ["evalsha", WRITE_SCRIPT.sha, 1, key, ...UPDATE_TTL])).exec(),
    "write: UPDATE_MANY_SCRIPT, one EVALSHA for the batch, no TTL": () =>
      client.evalsha(UPDATE_MANY_SCRIPT.sha, keys.length, ...keys, ...keys.flatMap(() => UPDATE)),
  };

  try {
    for (const [name, send] of Object.entries(variants)) {
      const sample = (await send()) as unknown;
      const replies = Array.isArray(sample) ? sample.flat() : [sample];
      if (replies.some((reply) => reply instanceof Error)) throw new Error(`${name}: Redis answered an error: ${String(replies.find((reply) => reply instanceof Error))}`);
      for (let i = 0; i < 200; i++) await send(); // warm
      const statsBefore = await probe.commandStats();
      const cpuBefore = await probe.cpuMicros();
      // Four batches in flight, like several requests' turns overlapping.
      const rounds = Math.ceil(operations / batch / 4);
      for (let i = 0; i < rounds; i++) await Promise.all([send(), send(), send(), send()]);
      const done = rounds * 4 * batch;
      const cpu = ((await probe.cpuMicros()) - cpuBefore) / done;
      const stats = diffStats(statsBefore, await probe.commandStats());
      const commandMicros = [...stats].filter(([command]) => !["info"].includes(command)).reduce((sum, [, s]) => sum + s.usec, 0);
      // Commands run inside scripts are counted under their own names and inside the script's time: count top-level ones only.
      const topLevel = [...stats].filter(([command]) => command.startsWith("eval") || !(name.includes("SCRIPT") || name.includes("EVALSHA")));
      const topMicros = topLevel.reduce((sum, [, s]) => sum + s.usec, 0);
      console.log(
        `${name.padEnd(72)} redis CPU ${cpu.toFixed(2).padStart(5)} µs/op   command time ${(topMicros / done).toFixed(2).padStart(5)} µs/op` +
          `   (${[...stats].map(([c, s]) => `${c} ${(s.calls / done).toFixed(2)}/op`).join(", ")}; all counted ${(commandMicros / done).toFixed(2)})`,
      );
    }
  } finally {
    client.disconnect();
    await probe.close().catch(() => undefined);
    await redis.close();
  }
}

await main();
