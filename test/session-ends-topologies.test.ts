// Session-end announcements on Redis Cluster (sharded pub/sub: SPUBLISH /
// SSUBSCRIBE) and Sentinel, with ioredis and node-redis: a logout through
// one instance's store reaches the subscriber of another instance's store.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createSessionManager, type SessionEnd } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { startRedisCluster, type RedisClusterRig } from "./support/rigs/cluster.js";
import { startRedisSentinel, type RedisSentinelRig } from "./support/rigs/sentinel.js";
import { closeClient, ioredisCluster, ioredisSentinel, nodeRedisCluster, nodeRedisSentinel } from "./support/topology-clients.js";

type AnyClient = { disconnect?: () => unknown; destroy?: () => unknown };

/** Two instances' stores over two clients; a destroy through the first is heard by the second. */
async function endIsHeard(makeClient: () => Promise<AnyClient>): Promise<void> {
  const publisherClient = await makeClient();
  const subscriberClient = await makeClient();
  const publisher = redisStore({ client: publisherClient, prefix: "ends:" });
  const listener = redisStore({ client: subscriberClient, prefix: "ends:" });
  let stop: (() => void) | undefined;
  try {
    const heard = new Promise<SessionEnd>((resolve) => {
      void listener.sessionEnds!.subscribe({ ended: resolve }).then((s) => (stop = s));
    });
    // Let the subscription be made before the end is announced.
    await new Promise((r) => setTimeout(r, 500));
    const sessions = createSessionManager<Record<string, unknown>>({ store: publisher, secrets: ["x".repeat(40)] });
    const session = await sessions.load({ cookieHeader: undefined, secure: false });
    session.data.name = "ada";
    const cookie = (await sessions.commit(session))!.split(";")[0]!;
    const loaded = await sessions.load({ cookieHeader: cookie, secure: false });
    const id = loaded.id!;
    await loaded.destroy();
    const end = await Promise.race([heard, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no end heard within 5 s")), 5000))]);
    assert.deepEqual(end, { reason: "destroyed", ids: [id] });
  } finally {
    stop?.();
    await closeClient(publisherClient);
    await closeClient(subscriberClient);
  }
}

describe("session ends announced on a Cluster (sharded pub/sub)", { timeout: 120_000 }, () => {
  let rig: RedisClusterRig;
  before(async () => {
    rig = await startRedisCluster();
  });
  after(async () => {
    await rig?.close();
  });
  it("ioredis Cluster", () => endIsHeard(async () => ioredisCluster(rig)));
  it("node-redis cluster", () => endIsHeard(() => nodeRedisCluster(rig)));
});

describe("session ends announced through Sentinel", { timeout: 120_000 }, () => {
  let rig: RedisSentinelRig;
  before(async () => {
    rig = await startRedisSentinel();
  });
  after(async () => {
    await rig?.close();
  });
  it("ioredis with Sentinel", () => endIsHeard(async () => ioredisSentinel(rig)));
  it("node-redis sentinel", () => endIsHeard(() => nodeRedisSentinel(rig)));
});
