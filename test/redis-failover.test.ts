import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { CREATED_AT_FIELD, SessionStoreError } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { FAILOVER_SETUPS, runFailover, SETTLE_AFTER_HEAL_MS, type FailoverReport } from "./support/failover-load.js";
import type { RedisServer } from "./support/redis-server.js";
import { waitFor } from "./support/wait-for.js";
import { startRedisSentinel } from "./support/rigs/sentinel.js";
import { closeClient, ioredisSentinel } from "./support/topology-clients.js";

// Failover under load: logins and session writes through a real Express
// server while the master owning a live session is SIGKILLed. With
// waitForReplicas, no acknowledged login or write may be lost, nothing may
// hang, and requests must succeed again once the group has healed.
// (node support/failover-report.ts prints the same figures, with and without WAIT.)

const STORE_TIMEOUT_MS = 1500;

/**
 * The setups whose client re-sends a command that failed on the dead master
 * once it has found the new one (node-redis's Sentinel client, up to its
 * `maxCommandRediscovers`), even after Tessera's deadline answered the
 * request with a store timeout: that write can land after newer,
 * acknowledged ones and set a field back. A known limitation, documented in
 * docs/scaling-out.md; anything else lost still fails the test.
 */
const RESENDS_TIMED_OUT_WRITES: ReadonlySet<string> = new Set(["Sentinel over node-redis"]);

/** How long the load runs on once the group has healed; requests must succeed again within it. */
const AFTER_HEAL_MS = 5000;
/** Sequential users of the load (each logs in, writes, logs in again...). */
const VIRTUAL_USERS = 6;

function assertHealthyFailover(report: FailoverReport, setup: string): void {
  assert.equal(report.lostLogins, 0, "no acknowledged login lost");
  assert.equal(report.lostWrites, 0, "no acknowledged write lost");
  if (!RESENDS_TIMED_OUT_WRITES.has(setup)) assert.equal(report.lateWrites, 0, "no timed-out write applied after newer ones");
  assert.equal(report.hung, 0, "every request got an answer");
  for (const failure of Object.keys(report.failures)) {
    assert.match(failure, /^503 TESSERA_STORE_(TIMEOUT|UNAVAILABLE)$/, "failures are typed store errors");
  }
  // A request makes at most two store calls (load, commit), each bounded by
  // storeTimeoutMs; the margin absorbs two busy shared cores.
  assert.ok(report.maxLatencyMs <= 2 * STORE_TIMEOUT_MS + 1500, `max latency ${report.maxLatencyMs} ms is bounded`);
  // Counted from the heal, not the kill: how long Sentinel or the Cluster
  // takes to elect is theirs (a split vote is retried seconds later); the
  // client finding the new master is what is under test. A client that has
  // not found it fails every request; one that has may still see a commit
  // time out now and then when a concurrent test file starves the two cores
  // (CI once served 865 requests here instead of about 4,000, with a p99 of
  // 1.7 s), so the bar is a share of the requests after the heal, not none.
  const { requests, failed } = report.afterHeal;
  const timeline = `new master ${report.newMasterAtMs} ms after the kill, healed at ${report.replicaBackAtMs}, last failure at ${report.recoveredAtMs}, load ran to ${report.endedAtMs}; of the ${requests} requests started ${SETTLE_AFTER_HEAL_MS} ms after the heal or later, ${failed} failed`;
  assert.ok(requests >= 2 * VIRTUAL_USERS, `the load went on after the heal (${timeline})`);
  assert.ok(failed * 10 <= requests, `at most one in ten requests fails once the group has healed (${timeline})`);
  assert.ok(report.acknowledgedLogins > 5, "the load kept logging users in");
}

describe("failover under load, with waitForReplicas", () => {
  for (const setup of FAILOVER_SETUPS) {
    it(`${setup}: master SIGKILLed mid-load, 0 acknowledged logins lost`, { timeout: 90_000 }, async (t) => {
      // The load runs on for AFTER_HEAL_MS after the group has healed,
      // however long the failover took on two cores that a concurrent test
      // file may be saturating (node-redis over Sentinel once recovered 9.1 s
      // after the kill there, against about 3 s on a quiet machine).
      const report = await runFailover(setup, {
        storeTimeoutMs: STORE_TIMEOUT_MS,
        virtualUsers: VIRTUAL_USERS,
        waitForReplicas: { replicas: 1, timeoutMs: 500 },
        warmupMs: 1000,
        afterKillMs: 6000,
        afterHealMs: AFTER_HEAL_MS,
      });
      t.diagnostic(JSON.stringify(report));
      assertHealthyFailover(report, setup);
    });
  }
});

describe("why waitForReplicas exists", () => {
  it("a lagging replica: a write acknowledged without WAIT is lost in the failover; with WAIT it is never acknowledged", { timeout: 60_000 }, async () => {
    const group = await startRedisSentinel();
    const client = ioredisSentinel(group);
    try {
      const plain = redisStore({ client, prefix: "lag:" });
      const durable = redisStore({ client, prefix: "lag:", waitForReplicas: { replicas: 1, timeoutMs: 200 } });
      const id = randomBytes(12).toString("base64url");
      const create = { kind: "create" as const, set: [[CREATED_AT_FIELD, String(Date.now())], ["v", '"replicated"']] as Array<[string, string]>, ttlMs: 60_000 };
      assert.equal(await durable.write(id, create, Date.now()), "ok");

      const [master, replica] = group.servers as [RedisServer, RedisServer];
      // The replica falls behind, as under load or across a network blip:
      // its link is cut and it cannot resync (a wrong masterauth makes its
      // reconnects fail), so what the master acknowledges now exists only there.
      await replica.command("CONFIG", "SET", "masterauth", "not-the-password");
      await master.command("CLIENT", "KILL", "TYPE", "replica");
      const update = (value: string) => ({ kind: "update" as const, set: [["v", value]] as Array<[string, string]>, del: [], ttlMs: 60_000 });
      assert.equal(await plain.write(id, update('"acknowledged, not replicated"'), Date.now()), "ok");
      await assert.rejects(durable.write(id, update('"never acknowledged"'), Date.now()), (error: unknown) => {
        assert.ok(error instanceof SessionStoreError && error.outcome === "unknown");
        return true;
      });
      await master.stop({ crash: true });
      await replica.command("CONFIG", "SET", "masterauth", "");
      await group.waitForNewMaster(master);

      const policy = { idleTimeoutMs: 60_000, absoluteTimeoutMs: 0, renewIntervalMs: 6_000 };
      const loaded = await waitFor("the session loads from the new master", () => plain.load(id, Date.now(), policy).catch(() => undefined));
      assert.equal(loaded.fields.get("v"), '"replicated"', "the write acknowledged without WAIT is gone");
    } finally {
      await closeClient(client);
      await group.close();
    }
  });
});
