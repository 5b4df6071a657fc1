import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createClient } from "redis";
import {
  createSessionManager,
  DEVICE_FIELD,
  LEASE_FIELD,
  SessionStoreError,
  USER_ID_FIELD,
  type Session,
  type SessionManager,
  type SessionManagerOptions,
} from "tessera-session";
import { redisStore, type RedisSessionStore } from "tessera-session/redis";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { sessionClient, type SessionClient } from "./support/session-client.js";

// The per-user index on a real redis-server: key layout, command counts,
// two app instances on two different clients, expiry without traffic, and
// what a crash between the session write and the index write leaves behind.

type Data = { name: string };

let server: RedisServer;
let ioredis: Redis;
let nodeRedis: ReturnType<typeof createClient>;
before(async () => {
  server = await startRedisServer();
  ioredis = new Redis(server.url);
  nodeRedis = createClient({ url: server.url });
  await nodeRedis.connect();
});
after(async () => {
  await ioredis.quit();
  await nodeRedis.quit();
  await server.close();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function instance(
  prefix: string,
  options: Partial<SessionManagerOptions> = {},
  client: Redis | ReturnType<typeof createClient> = ioredis,
): { manager: SessionManager<Data>; store: RedisSessionStore } {
  const store = redisStore({ client, prefix });
  return { manager: createSessionManager<Data>({ store, ...options }), store };
}

async function login(manager: SessionManager<Data>, client: SessionClient, userId: string): Promise<string> {
  const session = await client.request(manager, async (s) => {
    await s.regenerate();
    await s.bindUser(userId, { label: "node:test", ip: "127.0.0.1" });
    s.data.name = userId;
  });
  assert.ok(session.id);
  return session.id;
}

/** Redis commands sent while `work` runs (a script counts as one). */
async function commandsDuring(work: () => Promise<unknown>): Promise<number> {
  return (await server.countCommands(work)).total;
}

describe("per-user index on Redis", () => {
  it("lays the index out as one sorted set per user, the binding as reserved hash fields", async () => {
    const { manager, store } = instance("layout:");
    const id = await login(manager, sessionClient(), "user:42");
    assert.equal(store.userKey("user:42"), "layout:u:user:42");
    assert.equal(await ioredis.type("layout:u:user:42"), "zset");
    const score = Number(await ioredis.zscore("layout:u:user:42", id));
    const hash = await ioredis.hgetall(`layout:s:${id}`);
    assert.equal(hash[USER_ID_FIELD], "user:42");
    assert.equal(JSON.parse(hash[DEVICE_FIELD]!).label, "node:test");
    assert.ok(score > Number(hash[LEASE_FIELD]), "the entry outlives the lease (by the grace)");
    assert.ok((await ioredis.pttl("layout:u:user:42")) > 0, "the index key expires by itself");
  });

  it("keeps issue 2's command counts for unbound sessions and adds none to bound reads", async (t) => {
    const { manager } = instance("counts:", { idleTimeoutSeconds: 600, renewIntervalSeconds: 60 });
    const warmup = sessionClient();
    await login(manager, warmup, "warmup");
    await manager.listUserSessions("warmup");
    await warmup.request(manager, (s) => s.destroy());

    const counts: Record<string, number> = {};
    counts.anonymous = await commandsDuring(() => sessionClient().request(manager));
    const anon = sessionClient();
    await anon.request(manager, (s) => void (s.data.name = "guest"));
    counts.unboundRead = await commandsDuring(() => anon.request(manager));
    counts.unboundWrite = await commandsDuring(() => anon.request(manager, (s) => void (s.data.name = "guest2")));
    counts.loginFromAnonymous = await commandsDuring(() => login(manager, anon, "ada"));
    counts.boundRead = await commandsDuring(() => anon.request(manager));
    counts.boundWrite = await commandsDuring(() => anon.request(manager, (s) => void (s.data.name = "ada2")));
    counts.loginWithoutCookie = await commandsDuring(() => login(manager, sessionClient(), "ada"));
    counts.list2 = await commandsDuring(() => manager.listUserSessions("ada"));
    counts.logout = await commandsDuring(() => anon.request(manager, (s) => s.destroy()));

    t.diagnostic(`commands per request: ${JSON.stringify(counts)}`);
    assert.deepEqual(counts, {
      anonymous: 0,
      unboundRead: 1,
      unboundWrite: 2,
      // The replaced (pre-login) session's end is announced for WebSockets: one PUBLISH (docs/websockets.md).
      loginFromAnonymous: 4, // load; index add + create, pipelined (2 round trips); PUBLISH
      boundRead: 1,
      boundWrite: 2,
      loginWithoutCookie: 2, // index add + create, one round trip
      list2: 3, // index entries; one inspect per session, pipelined (2 round trips)
      logout: 4, // load; delete + index remove, pipelined; PUBLISH of the end
    });
  });

  it("extends a lease with two extra commands about once per idle timeout, never on the other reads", async (t) => {
    const { manager, store } = instance("lease:", { idleTimeoutSeconds: 1, renewIntervalSeconds: 0.1, absoluteTimeoutSeconds: false });
    const browser = sessionClient();
    const id = await login(manager, browser, "ada");
    // A second instance has no remembered expiry, so its read runs the load
    // script once: the counts below exclude a script's one-time first use.
    await browser.request(instance("lease:", { idleTimeoutSeconds: 1, renewIntervalSeconds: 0.1, absoluteTimeoutSeconds: false }).manager);
    const perRequest: number[] = [];
    const started = Date.now();
    while (Date.now() - started < 3500 && perRequest.length < 40) {
      await sleep(150);
      const tBefore = Date.now();
      perRequest.push(await commandsDuring(() => browser.request(manager)));
      const session = await browser.request(manager);
      assert.equal(session.userId, "ada", "stays logged in across idle timeouts");
      const score = Number(await ioredis.zscore(store.userKey("ada"), id));
      const pttl = await ioredis.pttl(store.sessionKey(id));
      assert.ok(score >= tBefore + pttl, "the index entry outlives the session at every moment");
    }
    const extended = perRequest.filter((n) => n === 3).length;
    t.diagnostic(`commands per read request over ${Date.now() - started} ms with a 1 s idle timeout: ${perRequest.join(",")}`);
    assert.ok(perRequest.every((n) => n === 1 || n === 3), `per-request counts: ${perRequest.join(",")}`);
    assert.ok(extended >= 2 && extended <= perRequest.length / 2, `${extended} extensions in ${perRequest.length} requests`);
  });

  it("drops sessions that expire with no traffic at all", async () => {
    const { manager, store } = instance("expiry:", { idleTimeoutSeconds: 1, renewIntervalSeconds: 0.2, absoluteTimeoutSeconds: false });
    for (let i = 0; i < 3; i++) await login(manager, sessionClient(), "ada");
    for (let i = 0; i < 3; i++) await login(manager, sessionClient(), "bob");
    assert.equal((await manager.listUserSessions("ada")).length, 3);
    assert.equal(await ioredis.zcard(store.userKey("bob")), 3);

    await sleep(1200); // sessions idle out; leases (2 s) still run
    assert.deepEqual(await manager.listUserSessions("ada"), [], "an expired session is never listed");
    assert.equal(await ioredis.exists(store.userKey("ada")), 0, "the listing dropped the dead entries");

    await sleep(2000); // past lease + grace: nobody touched bob's index
    assert.equal(await ioredis.exists(store.userKey("bob")), 0, "the index key expired by itself");
  });

  it("a revoked session is dead on its next request on another instance, on another client", async () => {
    const a = instance("fleet:", {}, ioredis);
    const b = instance("fleet:", {}, nodeRedis);
    const [laptop, phone] = [sessionClient(), sessionClient()];
    await login(a.manager, laptop, "ada");
    const phoneId = await login(b.manager, phone, "ada");

    const inFlight = await b.manager.load({ cookieHeader: `tessera=${phone.cookie}`, secure: false });
    assert.equal(await a.manager.revokeSession(phoneId, { userId: "ada" }), true);
    inFlight.data.name = "late write";
    await b.manager.commit(inFlight);
    assert.equal(await ioredis.exists(b.store.sessionKey(phoneId)), 0, "the in-flight commit did not recreate it");

    const next: Session<Data> = await phone.request(b.manager);
    assert.equal(next.userId, undefined);
    assert.equal((await laptop.request(b.manager)).userId, "ada");
    assert.deepEqual((await b.manager.revokeUserSessions("ada")).length, 1);
    assert.equal((await laptop.request(a.manager)).userId, undefined, "log out everywhere reaches instance A too");
  });

  it("tolerates what a crash between the two writes leaves: dangling entries are dropped, a failed index write undoes the login", async () => {
    const { manager, store } = instance("crash:");
    await ioredis.zadd(store.userKey("ada"), Date.now() + 60_000, "never-written-session");
    const browser = sessionClient();
    const id = await login(manager, browser, "ada");
    assert.deepEqual((await manager.listUserSessions("ada")).map((s) => s.id), [id]);
    assert.equal(await ioredis.zscore(store.userKey("ada"), "never-written-session"), null, "dropped by the listing");

    // The index write fails (wrong type at the user's key) while the session write succeeds.
    await ioredis.set(store.userKey("eve"), "not a sorted set");
    const before = await ioredis.dbsize();
    const eve = sessionClient();
    await eve.request(manager, (s) => void (s.data.name = "anonymous"));
    await assert.rejects(login(manager, eve, "eve"), SessionStoreError);
    assert.equal(await ioredis.dbsize(), before, "no session left that its user's index does not list");
    assert.equal((await eve.request(manager)).userId, undefined);
  });

  it("evicts the oldest sign-in beyond maxSessionsPerUser, on Redis", async () => {
    const { manager } = instance("max:", { maxSessionsPerUser: 2 });
    const browsers = [sessionClient(), sessionClient(), sessionClient()];
    const ids: string[] = [];
    for (const browser of browsers) {
      ids.push(await login(manager, browser, "ada"));
      await sleep(5);
    }
    assert.deepEqual((await manager.listUserSessions("ada")).map((s) => s.id).sort(), [ids[1], ids[2]].sort());
    assert.equal((await browsers[0]!.request(manager)).userId, undefined);
  });

  it("a planted pre-login cookie is dead after a login that only calls bindUser, on Redis (both clients)", async () => {
    for (const client of [ioredis, nodeRedis]) {
      const { manager, store } = instance(`fixation-${client === ioredis ? "io" : "node"}:`, {}, client);
      const attacker = sessionClient();
      await attacker.request(manager, (s) => void (s.data.name = "bait"));
      const plantedId = (await attacker.request(manager)).id!;
      const victim = await manager.load({ cookieHeader: `tessera=${attacker.cookie}`, secure: false });
      await victim.bindUser("ada");
      await manager.commit(victim);
      assert.notEqual(victim.id, plantedId, "the login rotated the token");
      assert.equal(await ioredis.exists(store.sessionKey(plantedId)), 0, "the pre-login record is deleted");
      const replay = await attacker.request(manager);
      assert.equal(replay.userId, undefined, "the planted cookie is not logged in");
      assert.equal(replay.data.name, undefined);
    }
  });
});
