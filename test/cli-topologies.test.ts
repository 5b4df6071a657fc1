import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Cluster, Redis } from "ioredis";
import { createSessionManager, type SessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { runCli } from "./support/cli.js";
import { startRedisCluster, type RedisClusterRig } from "./support/rigs/cluster.js";
import { startRedisSentinel, type RedisSentinelRig } from "./support/rigs/sentinel.js";
import { sessionClient } from "./support/session-client.js";
import { closeClient, ioredisCluster, ioredisSentinel } from "./support/topology-clients.js";

// Issue 13 §4: the CLI pointed at a Cluster node works on the whole
// Cluster (every master scanned, results merged, revokes routed), and
// pointed at a Sentinel works on the master it names. Both clients; the
// sessions are made by the library over a topology-aware client.

const PREFIX = "topo:";
const CLIENTS = ["ioredis", "redis"] as const;
const KILL_MS = 60_000;
/** ioredis is what the CLI picks by default (both are installed here); node-redis needs --client. */
const clientArgs = (client: (typeof CLIENTS)[number]): string[] => (client === "ioredis" ? [] : ["--client", client]);

interface Report {
  sessions: { count: number; bound: number; users: number };
  indexes: { count: number; entries: number };
  masters: number;
}

/** `count` sessions of `userId`, plus their public ids. */
async function signIn(manager: SessionManager<{ n: number }>, userId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const session = await sessionClient().request(manager, async (s) => {
      await s.regenerate();
      await s.bindUser(userId, { label: `device ${i}` });
      s.data.n = i;
    });
    ids.push(session.id!);
  }
  return ids;
}

/** The checks common to both topologies, for one client library. */
async function exercise(url: string, client: (typeof CLIENTS)[number], manager: SessionManager<{ n: number }>, expected: { sessions: number; masters: number }) {
  const cli = (...args: string[]) => runCli(["--redis-url", url, "--prefix", PREFIX, ...clientArgs(client), ...args], { killAfterMs: KILL_MS });
  const user = `grace-${client}`;
  const ids = await signIn(manager, user, 4);

  const listed = await cli("--json", "sessions", "--user", user);
  assert.equal(listed.code, 0, `${client} sessions: ${listed.stderr}`);
  assert.deepEqual((JSON.parse(listed.stdout) as { sessions: Array<{ id: string }> }).sessions.map((s) => s.id).sort(), [...ids].sort());

  const stats = await cli("--json", "stats");
  assert.equal(stats.code, 0, `${client} stats: ${stats.stderr}`);
  const report = JSON.parse(stats.stdout) as Report;
  assert.equal(report.masters, expected.masters);
  assert.equal(report.sessions.count, expected.sessions + 4, `${client}: every session, on every master, counted once`);

  const doctor = await cli("--json", "doctor");
  const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; status: string; node?: string }> }).checks;
  assert.equal(new Set(checks.filter((c) => c.name === "version").map((c) => c.node)).size, expected.masters, `${client} doctor: each master checked`);
  assert.equal(checks.find((c) => c.name === "keyspace")?.status, "ok", `${client} doctor: ${doctor.stdout}`);

  const preview = await cli("revoke", "--dry-run", "--", ids[0]!);
  assert.equal(preview.code, 0, `${client} revoke --dry-run: ${preview.stderr}`);
  assert.match(preview.stdout, new RegExp(`would revoke session ${ids[0]} of user "${user}"`));

  const one = await cli("revoke", "--yes", "--", ids[0]!);
  assert.equal(one.code, 0, `${client} revoke <id>: ${one.stderr}`);
  const rest = await cli("--json", "revoke", "--user", user, "--yes");
  assert.equal(rest.code, 0, `${client} revoke --user: ${rest.stderr}`);
  assert.deepEqual((JSON.parse(rest.stdout) as { revoked: string[] }).revoked.sort(), ids.slice(1).sort());
  assert.deepEqual(await manager.listUserSessions(user), [], "all revoked, wherever they lived");
}

describe("the CLI on a Redis Cluster", () => {
  let rig: RedisClusterRig;
  let client: Cluster;
  let manager: SessionManager<{ n: number }>;
  before(async () => {
    rig = await startRedisCluster();
    client = ioredisCluster(rig);
    manager = createSessionManager({ store: redisStore({ client, prefix: PREFIX }) });
    // Anonymous sessions spread over the slots, so every master holds some.
    for (let i = 0; i < 30; i++) await sessionClient().request(manager, (s) => void (s.data.n = i));
  });
  after(async () => {
    await closeClient(client);
    await rig.close();
  });

  for (const library of CLIENTS) {
    it(`${library}: sessions, stats, doctor and revoke see and reach every master`, async () => {
      const perMaster = await Promise.all((await rig.masters()).map((m) => m.command("DBSIZE")));
      assert.ok(perMaster.every((reply) => Number(reply.slice(1)) > 0), "the test data lives on every master");
      await exercise(`redis://127.0.0.1:${rig.nodes[0]!.port}`, library, manager, { sessions: 30, masters: 3 });
    });
  }
});

describe("the CLI through a Sentinel", () => {
  let rig: RedisSentinelRig;
  let client: Redis;
  let manager: SessionManager<{ n: number }>;
  before(async () => {
    rig = await startRedisSentinel();
    client = ioredisSentinel(rig);
    manager = createSessionManager({ store: redisStore({ client, prefix: PREFIX }) });
    for (let i = 0; i < 5; i++) await sessionClient().request(manager, (s) => void (s.data.n = i));
  });
  after(async () => {
    await closeClient(client);
    await rig.close();
  });

  for (const library of CLIENTS) {
    it(`${library}: a URL naming a Sentinel works on the master it names`, async () => {
      const sentinel = rig.sentinels[0]!;
      await exercise(`redis://${sentinel.host}:${sentinel.port}/${rig.masterName}`, library, manager, { sessions: 5, masters: 1 });
      // Without the path: the one master this Sentinel monitors.
      const stats = await runCli(["--json", "--redis-url", `redis://${sentinel.host}:${sentinel.port}`, "--prefix", PREFIX, ...clientArgs(library), "stats"], { killAfterMs: KILL_MS });
      assert.equal(stats.code, 0, stats.stderr);
      assert.equal((JSON.parse(stats.stdout) as Report).sessions.count, 5);
    });
  }
});
