/**
 * Prints the failover and durability figures quoted in docs/scaling-out.md:
 *
 *   npm run build && node --import tsx test/support/failover-report.ts [runs per row, default 1]
 *
 * 1. Failover under load on each topology × client, with and without
 *    waitForReplicas (master SIGKILLed mid-load; see failover-load.ts).
 * 2. The latency cost of waitForReplicas: sequential and concurrent
 *    session writes on a Sentinel group (master + 1 replica, loopback).
 * Takes about 2–3 minutes on 2 cores. Not a test: nothing is asserted.
 */
import { randomBytes } from "node:crypto";
import { CREATED_AT_FIELD } from "tessera-session";
import { redisStore, type RedisClient } from "tessera-session/redis";
import { FAILOVER_SETUPS, runFailover } from "./failover-load.js";
import { startRedisSentinel } from "./rigs/sentinel.js";
import { closeClient, ioredisSentinel, nodeRedisSentinel } from "./topology-clients.js";

const runs = Number(process.argv[2] ?? 1);
const WAIT = { replicas: 1, timeoutMs: 500 };

console.log("## Failover under load (storeTimeoutMs 1500, 6 sequential users, master SIGKILLed)\n");
console.log("| setup | WAIT | requests | failed | errors | max latency ms | p99 ms | new master at ms | all OK again at ms | acked logins | lost logins | lost writes | late writes |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const setup of FAILOVER_SETUPS) {
  for (const wait of [false, true]) {
    for (let run = 0; run < runs; run++) {
      const r = await runFailover(setup, { storeTimeoutMs: 1500, waitForReplicas: wait ? WAIT : undefined, warmupMs: 1000, afterKillMs: 6000 });
      const errors = Object.entries(r.failures).map(([key, { count, sample }]) => `${count}× ${key} (${sample.slice(0, 60)})`).join("; ");
      console.log(
        `| ${setup} | ${wait ? "yes" : "no"} | ${r.requests} | ${r.failed} | ${errors || "-"} | ${r.maxLatencyMs} | ${r.p99LatencyMs} | ${r.newMasterAtMs} | ${r.recoveredAtMs} | ${r.acknowledgedLogins} | ${r.lostLogins} | ${r.lostWrites} | ${r.lateWrites} |`,
      );
    }
  }
}

/** Latency percentiles of `count` writes, `concurrency` at a time, in ms. */
async function writeLatency(client: RedisClient, wait: boolean, count: number, concurrency: number) {
  const store = redisStore({ client, prefix: `cost-${wait}-${concurrency}:`, waitForReplicas: wait ? WAIT : undefined });
  const ids = Array.from({ length: concurrency }, () => randomBytes(12).toString("base64url"));
  for (const id of ids) {
    await store.write(id, { kind: "create", set: [[CREATED_AT_FIELD, String(Date.now())], ["n", "0"]], ttlMs: 60_000 }, Date.now());
  }
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      for (let i = 0; i < count / concurrency; i++) {
        const t = performance.now();
        await store.write(id, { kind: "update", set: [["n", String(i)]], del: [], ttlMs: 60_000 }, Date.now());
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.floor(latencies.length * q)]!.toFixed(2);
  return { p50: at(0.5), p99: at(0.99), perSecond: Math.round((latencies.length / elapsedMs) * 1000) };
}

console.log("\n## Cost of waitForReplicas (Sentinel group on loopback, 4000 session updates per row)\n");
console.log("| client | concurrency | WAIT | p50 ms | p99 ms | writes/s |");
console.log("|---|---|---|---|---|---|");
const group = await startRedisSentinel();
try {
  for (const [name, connect] of [
    ["ioredis", () => ioredisSentinel(group)],
    ["node-redis", () => nodeRedisSentinel(group)],
  ] as const) {
    const client = await connect();
    try {
      await writeLatency(client, false, 500, 1); // warm up connections and script caches
      for (const concurrency of [1, 16]) {
        for (const wait of [false, true]) {
          const r = await writeLatency(client, wait, 4000, concurrency);
          console.log(`| ${name} | ${concurrency} | ${wait ? "yes" : "no"} | ${r.p50} | ${r.p99} | ${r.perSecond} |`);
        }
      }
    } finally {
      await closeClient(client);
    }
  }
} finally {
  await group.close();
}
