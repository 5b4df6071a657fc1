// Lifecycle events and OpenTelemetry spans on Redis Cluster (a regenerate
// is two steps there: TAKE_SCRIPT, then the create) and through Sentinel,
// with ioredis and node-redis: the same events and span outcomes as on one
// Redis, and no keyspace notifications involved.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createSessionManager, type SessionEventMap, type SessionEventName } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { startRedisCluster, type RedisClusterRig } from "./support/rigs/cluster.js";
import { startRedisSentinel, type RedisSentinelRig } from "./support/rigs/sentinel.js";
import { sessionClient } from "./support/session-client.js";
import { closeClient, ioredisCluster, ioredisSentinel, nodeRedisCluster, nodeRedisSentinel } from "./support/topology-clients.js";

type AnyClient = { disconnect?: () => unknown; destroy?: () => unknown };
type Seen = Array<{ [E in SessionEventName]: [E, SessionEventMap[E]] }[SessionEventName]>;

const hooksRan = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/** A visit, a sign-in, a rotation, "log out everywhere" from a second device, and the first device's dead cookie. */
async function lifecycle(client: AnyClient, prefix: string): Promise<void> {
  try {
    const seen: Seen = [];
    const spans = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer("tessera-session");
    const record = <E extends SessionEventName>(name: E) => (event: SessionEventMap[E]) => void seen.push([name, event] as Seen[number]);
    const sessions = createSessionManager<{ visits: number }>({
      store: redisStore({ client: client as never, prefix }),
      secrets: ["x".repeat(40)],
      on: { created: record("created"), regenerated: record("regenerated"), destroyed: record("destroyed"), revoked: record("revoked"), expired: record("expired") },
      telemetry: { tracer },
    });
    const laptop = sessionClient();
    const phone = sessionClient();
    const visit = await laptop.request(sessions, (s) => void (s.data.visits = 1));
    const signedIn = await laptop.request(sessions, (s) => s.bindUser("ada"));
    const rotated = await laptop.request(sessions, (s) => s.regenerate());
    const other = await phone.request(sessions, (s) => s.bindUser("ada"));
    assert.deepEqual(await sessions.revokeUserSessions("ada", { exceptId: other.id }), [rotated.id]);
    await laptop.request(sessions);
    await phone.request(sessions, (s) => s.destroy());
    await hooksRan();
    assert.deepEqual(
      seen.map(([name, event]) => [name, event.id]),
      [
        ["created", visit.id],
        ["regenerated", signedIn.id],
        ["regenerated", rotated.id],
        ["created", other.id],
        ["revoked", rotated.id],
        ["expired", rotated.id],
        ["destroyed", other.id],
      ],
    );
    const revoked = seen.find(([name]) => name === "revoked")![1] as SessionEventMap["revoked"];
    assert.deepEqual([revoked.cause, revoked.byId, revoked.userId], ["other-device", other.id, "ada"]);
    const outcomes = spans.getFinishedSpans().filter((s) => s.name !== "tessera.index").map((s) => `${s.name}:${String(s.attributes["tessera.outcome"])}`);
    assert.deepEqual(outcomes, [
      "tessera.commit:ok",
      "tessera.load:found",
      "tessera.commit:ok",
      "tessera.load:found",
      "tessera.commit:ok",
      "tessera.commit:ok",
      "tessera.load:missing",
      "tessera.load:found",
      "tessera.destroy:ok",
    ]);
  } finally {
    await closeClient(client);
  }
}

describe("lifecycle events and spans on a Cluster", { timeout: 120_000 }, () => {
  let rig: RedisClusterRig;
  before(async () => {
    rig = await startRedisCluster();
  });
  after(async () => {
    await rig?.close();
  });
  it("ioredis Cluster", async () => lifecycle(ioredisCluster(rig), "life-io:"));
  it("node-redis cluster", async () => lifecycle(await nodeRedisCluster(rig), "life-nr:"));
});

describe("lifecycle events and spans through Sentinel", { timeout: 120_000 }, () => {
  let rig: RedisSentinelRig;
  before(async () => {
    rig = await startRedisSentinel();
  });
  after(async () => {
    await rig?.close();
  });
  it("ioredis Sentinel", async () => lifecycle(ioredisSentinel(rig), "life-io:"));
  it("node-redis Sentinel", async () => lifecycle(await nodeRedisSentinel(rig), "life-nr:"));
});
