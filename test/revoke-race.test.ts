import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { createSessionManager, type Session, type SessionManager, type SessionManagerOptions, type SessionStore } from "tessera-session";
import { redisStore, type RedisClient, type RedisSessionStore } from "tessera-session/redis";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { startRedisCluster, type RedisClusterRig } from "./support/rigs/cluster.js";
import { startRedisSentinel, type RedisSentinelRig } from "./support/rigs/sentinel.js";
import { sessionClient, type SessionClient } from "./support/session-client.js";
import { closeClient, ioredisCluster, ioredisSentinel, nodeRedisCluster, nodeRedisSentinel } from "./support/topology-clients.js";

// "Log out everywhere" races the logins and regenerates of the same user,
// on a real Redis (one server with both clients, a 3-master Cluster and a
// Sentinel group). The invariant: every session that belonged to the user
// when revokeUserSessions started, including one mid-regenerate, mid-login
// or mid-bindUser, is dead when it returns.
//
// Two kinds of trial:
// - concurrent: the regenerate's commit and the revoke start in the same
//   event-loop turn, in both orders, many times (real timing, real Redis);
// - interleaved: a wrapper around the real store holds the login
//   instance's session write until the revoke has finished, which is the
//   worst case for "the index entry exists, the record not yet".

type Data = { name: string };
type Client = RedisClient & { destroy?: () => unknown; disconnect?: () => unknown; quit?: () => unknown };

const CONCURRENT_TRIALS = 40;

/** `promise`, or a failure after `ms` (a bound on the wait, not a timing assertion: a gate that is never reached fails the test). */
async function reached(promise: Promise<void>, what: string, ms = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`never reached: ${what}`)), ms)));
  try {
    await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A session store whose session writes can be held at a gate, the Redis behind it untouched. */
interface GatedStore {
  readonly store: SessionStore;
  /** Holds the next session write (create or update) until the returned release is called. */
  holdNextWrite(): { reached: Promise<void>; release: () => void };
}

/** A one-shot gate: once armed, the next call through it waits until released. */
function oneShotGate(): { through<T>(call: () => Promise<T>): Promise<T>; arm(): { reached: Promise<void>; release: () => void } } {
  let gate: { reached: () => void; released: Promise<void> } | undefined;
  return {
    async through(call) {
      const held = gate;
      gate = undefined;
      if (held) {
        held.reached();
        await held.released;
      }
      return call();
    },
    arm() {
      let reached!: () => void;
      let release!: () => void;
      const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      gate = { reached, released };
      return { reached: reachedPromise, release };
    },
  };
}

function gated(inner: RedisSessionStore): GatedStore {
  const gate = oneShotGate();
  const store: SessionStore = {
    load: (...args) => inner.load(...args),
    destroy: (...args) => inner.destroy(...args),
    userIndex: inner.userIndex,
    write: (...args) => gate.through(() => inner.write(...args)),
  };
  return { store, holdNextWrite: () => gate.arm() };
}

/** A store whose index holds the next `revokeEntry` (the revoke's per-session step) at a gate. */
function gatedRevoke(inner: RedisSessionStore): GatedStore {
  const gate = oneShotGate();
  const index = inner.userIndex;
  const store: SessionStore = {
    load: (...args) => inner.load(...args),
    write: (...args) => inner.write(...args),
    destroy: (...args) => inner.destroy(...args),
    userIndex: {
      add: (...args) => index.add(...args),
      remove: (...args) => index.remove(...args),
      entries: (...args) => index.entries(...args),
      inspect: (...args) => index.inspect(...args),
      revoke: (...args) => index.revoke(...args),
      revokeEntry: (...args) => gate.through(() => index.revokeEntry(...args)),
    },
  };
  return { store, holdNextWrite: () => gate.arm() };
}

async function login(manager: SessionManager<Data>, browser: SessionClient, userId: string): Promise<string> {
  const session = await browser.request(manager, async (s) => {
    await s.regenerate();
    await s.bindUser(userId, { label: "race" });
    s.data.name = userId;
  });
  assert.ok(session.id);
  return session.id;
}

/** A request with the browser's cookie, its handler run, not yet committed. */
async function open(manager: SessionManager<Data>, browser: SessionClient, handler: (s: Session<Data>) => Promise<void> | void): Promise<Session<Data>> {
  const session = await manager.load({ cookieHeader: browser.cookie === undefined ? undefined : `tessera=${browser.cookie}`, secure: false });
  await handler(session);
  return session;
}

async function isLive(store: RedisSessionStore, id: string | undefined): Promise<boolean> {
  if (id === undefined) return false;
  const stored = await store.load(id, Date.now(), { idleTimeoutMs: 60_000, absoluteTimeoutMs: 0, renewIntervalMs: 6_000 });
  return stored !== undefined;
}

/**
 * The scenarios, against one Redis client. `app` is the instance that logs
 * in and regenerates (through a gated store); `admin` is another instance,
 * on the same Redis, that revokes.
 */
function raceSuite(label: string, connect: () => Promise<Client>): void {
  describe(label, () => {
    let client: Client;
    let raw: RedisSessionStore;
    let gate: GatedStore;
    let app: SessionManager<Data>;
    let admin: SessionManager<Data>;
    const options: Partial<SessionManagerOptions> = { idleTimeoutSeconds: 60 };
    let users = 0;
    const newUser = () => `race-${label}-${++users}`;
    before(async () => {
      client = await connect();
      raw = redisStore({ client, prefix: "race:" });
      gate = gated(raw);
      app = createSessionManager<Data>({ store: gate.store, ...options });
      admin = createSessionManager<Data>({ store: raw, ...options });
    });
    after(async () => {
      await closeClient(client);
    });

    for (const order of ["revoke first", "regenerate first"] as const) {
      it(`kills a session regenerated concurrently (${order}, ${CONCURRENT_TRIALS} trials)`, async () => {
        const survivors: number[] = [];
        for (let trial = 0; trial < CONCURRENT_TRIALS; trial++) {
          const user = newUser();
          const browser = sessionClient();
          const oldId = await login(app, browser, user);
          const session = await open(app, browser, (s) => s.regenerate());
          let revoking: Promise<string[]>;
          let committing: Promise<string | undefined>;
          if (order === "revoke first") {
            revoking = admin.revokeUserSessions(user);
            committing = app.commit(session);
          } else {
            committing = app.commit(session);
            revoking = admin.revokeUserSessions(user);
          }
          await Promise.all([revoking, committing]);
          if ((await isLive(raw, oldId)) || (await isLive(raw, session.id))) survivors.push(trial);
        }
        assert.deepEqual(survivors, [], `trials in which a session survived "log out everywhere": ${survivors.length}/${CONCURRENT_TRIALS}`);
      });
    }

    it("kills a bound session whose regenerate has written its index entry but not yet its record", async () => {
      const user = newUser();
      const browser = sessionClient();
      const oldId = await login(app, browser, user);
      const session = await open(app, browser, (s) => s.regenerate());
      const held = gate.holdNextWrite();
      const committing = app.commit(session);
      await reached(held.reached, "the session write");
      await admin.revokeUserSessions(user);
      held.release();
      await committing;
      assert.equal(await isLive(raw, oldId), false, "the old record is dead");
      assert.equal(await isLive(raw, session.id), false, "the regenerated record never comes alive");
      assert.equal(session.userId, undefined, "the handle knows it was logged out");
    });

    it("kills the successor of a session regenerated after the revoke read the index (the revoke reads it again)", async () => {
      const user = newUser();
      const browser = sessionClient();
      const oldId = await login(app, browser, user);
      const revokeGate = gatedRevoke(raw);
      const slowAdmin = createSessionManager<Data>({ store: revokeGate.store, ...options });
      const held = revokeGate.holdNextWrite();
      const revoking = slowAdmin.revokeUserSessions(user);
      await reached(held.reached, "the revoke's per-session step"); // the revoke has read the index: only the old id
      const regenerated = await browser.request(app, (s) => s.regenerate());
      assert.ok(regenerated.id, "the regenerate completed while the revoke was paused");
      held.release();
      const revoked = await revoking;
      assert.deepEqual(revoked, [regenerated.id], "the revoke found the new id on its second read");
      assert.equal(await isLive(raw, oldId), false);
      assert.equal(await isLive(raw, regenerated.id), false, "the regenerated session is dead");
    });

    it("kills a login (regenerate + bindUser of an anonymous session) caught between its two writes", async () => {
      const user = newUser();
      const browser = sessionClient();
      await browser.request(app, (s) => void (s.data.name = "anonymous cart"));
      const session = await open(app, browser, async (s) => {
        await s.regenerate();
        await s.bindUser(user);
      });
      const held = gate.holdNextWrite();
      const committing = app.commit(session);
      await reached(held.reached, "the session write");
      await admin.revokeUserSessions(user);
      held.release();
      const setCookie = await committing;
      assert.equal(await isLive(raw, session.id), false, "the login fails closed");
      assert.match(setCookie ?? "", /^tessera=;/, "and its cookie is cleared");
    });

    it("kills a session caught mid-bindUser (an existing session bound without regenerate)", async () => {
      const user = newUser();
      const browser = sessionClient();
      const anonymousId = (await browser.request(app, (s) => void (s.data.name = "before login"))).id;
      const session = await open(app, browser, (s) => s.bindUser(user));
      const held = gate.holdNextWrite();
      const committing = app.commit(session);
      await reached(held.reached, "the session write");
      await admin.revokeUserSessions(user);
      held.release();
      await committing;
      for (const id of [anonymousId, session.id]) {
        const stored = id === undefined ? undefined : await raw.load(id, Date.now(), { idleTimeoutMs: 60_000, absoluteTimeoutMs: 0, renewIntervalMs: 6_000 });
        assert.notEqual(stored?.fields.get("@u"), user, "no session bound to the user survives");
      }
    });

    it("kills every session when a login over maxSessionsPerUser evicts concurrently", async () => {
      const user = newUser();
      const capped = createSessionManager<Data>({ store: gate.store, ...options, maxSessionsPerUser: 2 });
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) ids.push(await login(capped, sessionClient(), user));
      const third = sessionClient();
      await third.request(capped, (s) => void (s.data.name = "third"));
      const session = await open(capped, third, async (s) => {
        await s.regenerate();
        await s.bindUser(user);
      });
      const [revoked] = await Promise.all([admin.revokeUserSessions(user), capped.commit(session)]);
      for (const id of ids) assert.equal(await isLive(raw, id), false, `session ${id} is dead`);
      assert.ok(revoked.length <= 3);
      assert.ok((await admin.listUserSessions(user)).length <= 1, "at most the login that ran after the revoke");
    });
  });
}

describe("revoke races on one Redis", () => {
  let server: RedisServer;
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    await server.close();
  });
  raceSuite("standalone over ioredis", async () => new Redis(server.url));
  raceSuite("standalone over node-redis", async () => {
    const client = createClient({ url: server.url });
    await client.connect();
    return client as unknown as Client;
  });
});

describe("revoke races on a Redis Cluster", () => {
  let rig: RedisClusterRig;
  before(async () => {
    rig = await startRedisCluster();
  });
  after(async () => {
    await rig?.close();
  });
  raceSuite("Cluster over ioredis", async () => ioredisCluster(rig));
  raceSuite("Cluster over node-redis", async () => (await nodeRedisCluster(rig)) as unknown as Client);
});

describe("revoke races on Sentinel", () => {
  let rig: RedisSentinelRig;
  before(async () => {
    rig = await startRedisSentinel();
  });
  after(async () => {
    await rig?.close();
  });
  raceSuite("Sentinel over ioredis", async () => ioredisSentinel(rig));
  raceSuite("Sentinel over node-redis", async () => (await nodeRedisSentinel(rig)) as unknown as Client);
});
