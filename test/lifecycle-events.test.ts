/**
 * Lifecycle events on a real redis-server, with both clients: each event
 * with its payload, hooks run after the response and never reach the
 * request when they throw, `expired` exactly where Tessera sees a session
 * gone, and hooks add no Redis command to a plain read or write.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { createSessionManager, SessionConfigError, type SessionEventMap, type SessionEventName, type SessionManagerOptions } from "tessera-session";
import { redisStore, type RedisSessionStore } from "tessera-session/redis";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { sessionClient } from "./support/session-client.js";

type Data = { name: string; visits: number };
type Seen = { [E in SessionEventName]: Array<SessionEventMap[E]> };

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

/** Hooks run in a later turn: this waits for the ones already scheduled. */
const hooksRan = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

let prefixes = 0;
/** A manager whose every hook records what it got. */
function recorded(client: Redis | ReturnType<typeof createClient>, options: Partial<SessionManagerOptions> = {}) {
  const seen: Seen = { created: [], regenerated: [], destroyed: [], revoked: [], expired: [] };
  const store = redisStore({ client, prefix: `events${++prefixes}:` });
  const manager = createSessionManager<Data>({
    store,
    secrets: ["a-secret-long-enough-to-sign-cookies-0123456789"],
    on: {
      created: (e) => void seen.created.push(e),
      regenerated: (e) => void seen.regenerated.push(e),
      destroyed: (e) => void seen.destroyed.push(e),
      revoked: (e) => void seen.revoked.push(e),
      expired: (e) => void seen.expired.push(e),
    },
    ...options,
  });
  return { manager, store, seen };
}

for (const [name, client] of [["ioredis", () => ioredis], ["node-redis", () => nodeRedis]] as const) {
  describe(`lifecycle events (${name})`, () => {
    it("created, regenerated (a sign-in), destroyed (a logout), with typed payloads", async () => {
      const { manager, seen } = recorded(client());
      const browser = sessionClient();
      const first = await browser.request(manager, (s) => void (s.data.visits = 1));
      await hooksRan();
      assert.deepEqual(seen.created.map((e) => [e.id, e.userId]), [[first.id, undefined]]);
      assert.equal(typeof seen.created[0]!.at, "number");

      const signedIn = await browser.request(manager, (s) => s.bindUser("ada"));
      await hooksRan();
      assert.deepEqual(seen.regenerated.map((e) => [e.previousId, e.id, e.userId]), [[first.id, signedIn.id, "ada"]]);

      const rotated = await browser.request(manager, (s) => s.regenerate());
      await hooksRan();
      assert.deepEqual(seen.regenerated.at(-1), { id: rotated.id, previousId: signedIn.id, userId: "ada", at: seen.regenerated.at(-1)!.at });

      let destroyedId: string | undefined;
      await browser.request(manager, async (s) => {
        destroyedId = s.id;
        await s.destroy();
      });
      await hooksRan();
      assert.deepEqual(seen.destroyed.map((e) => e.id), [destroyedId]);
      assert.equal(seen.created.length, 1, "a regenerate is not a creation");
      assert.deepEqual(seen.revoked, []);
      assert.deepEqual(seen.expired, []);
    });

    it("a sign-in on a new visitor is one created event with its user", async () => {
      const { manager, seen } = recorded(client());
      const session = await sessionClient().request(manager, (s) => s.bindUser("grace"));
      await hooksRan();
      assert.deepEqual(seen.created.map((e) => [e.id, e.userId]), [[session.id, "grace"]]);
      assert.deepEqual(seen.regenerated, []);
    });

    it("revoked says why: the user, another device, the app, the per-user cap", async () => {
      const { manager, seen } = recorded(client(), { maxSessionsPerUser: 2 });
      const devices = [sessionClient(), sessionClient(), sessionClient()];
      const ids: string[] = [];
      for (const device of devices.slice(0, 2)) ids.push((await device.request(manager, (s) => s.bindUser("lin")))!.id!);
      // A third sign-in over the cap of 2 evicts the oldest.
      ids.push((await devices[2]!.request(manager, (s) => s.bindUser("lin"))).id!);
      await hooksRan();
      assert.deepEqual(seen.revoked.map((e) => [e.id, e.userId, e.cause, e.byId]), [[ids[0], "lin", "cap", undefined]]);

      // "Sign out everywhere else", from the third device.
      assert.deepEqual(await manager.revokeUserSessions("lin", { exceptId: ids[2] }), [ids[1]]);
      await hooksRan();
      assert.deepEqual(seen.revoked.at(-1)!.cause, "other-device");
      assert.deepEqual([seen.revoked.at(-1)!.id, seen.revoked.at(-1)!.byId], [ids[1], ids[2]]);

      // Two more sign-ins: the second evicts the third device's session (the cap again).
      const more = [await sessionClient().request(manager, (s) => s.bindUser("lin")), await sessionClient().request(manager, (s) => s.bindUser("lin"))];
      await hooksRan();
      assert.deepEqual([seen.revoked.at(-1)!.id, seen.revoked.at(-1)!.cause], [ids[2], "cap"]);
      // One session by id from the user's list, then the app on its own, then everywhere.
      await manager.revokeSession(more[0]!.id!, { userId: "lin" });
      await manager.revokeSession(more[1]!.id!);
      await hooksRan();
      assert.deepEqual(seen.revoked.slice(-2).map((e) => [e.id, e.cause]), [[more[0]!.id, "other-device"], [more[1]!.id, "app"]]);
      const last = await sessionClient().request(manager, (s) => s.bindUser("lin"));
      assert.deepEqual(await manager.revokeUserSessions("lin"), [last.id]);
      await hooksRan();
      assert.deepEqual([seen.revoked.at(-1)!.id, seen.revoked.at(-1)!.cause], [last.id, "user"]);
      // Revoking nothing raises nothing.
      const count = seen.revoked.length;
      assert.equal(await manager.revokeSession(last.id!), false);
      await hooksRan();
      assert.equal(seen.revoked.length, count);
    });

    it("expired: a request whose cookie names a session that is gone, once; and an index entry found dead", async () => {
      const { manager, store, seen } = recorded(client());
      const browser = sessionClient();
      const session = await browser.request(manager, (s) => s.bindUser("kim"));
      // What the idle timeout does in Redis: the hash is gone, nobody told.
      await store.destroy(session.id!);
      await hooksRan();
      assert.deepEqual(seen.destroyed, [], "the raw store raises no event: only the manager's calls do");
      await browser.request(manager);
      await hooksRan();
      assert.deepEqual(seen.expired.map((e) => [e.id, e.seenBy, e.userId]), [[session.id, "request", undefined]]);
      // The response cleared the cookie: the next request has none, and no event.
      assert.equal(browser.cookie, undefined);
      await browser.request(manager);
      await hooksRan();
      assert.equal(seen.expired.length, 1);

      // The user's index still lists the dead session: a listing prunes it and says so.
      assert.deepEqual(await manager.listUserSessions("kim"), []);
      await hooksRan();
      assert.deepEqual(seen.expired.slice(1).map((e) => [e.id, e.seenBy, e.userId]), [[session.id, "index", "kim"]]);
    });

    it("a forged or unsigned cookie raises no expired event (with secrets, it never reaches the store)", async () => {
      const { manager, seen } = recorded(client());
      await manager.commit(await manager.load({ cookieHeader: "tessera=forged-value-that-does-not-verify", secure: false }));
      await hooksRan();
      assert.deepEqual(seen.expired, []);
    });
  });
}

describe("hooks never delay or fail a request", () => {
  it("a hook runs after the commit resolved, in a later turn", async () => {
    const order: string[] = [];
    const { manager } = recorded(ioredis, { on: { created: () => void order.push("hook") } });
    const session = await manager.load({ secure: false });
    session.data.visits = 1;
    await manager.commit(session);
    order.push("response");
    await hooksRan();
    assert.deepEqual(order, ["response", "hook"]);
  });

  it("a hook that throws or rejects is reported to onHookError; the requests succeed", async () => {
    const reported: Array<[string, string]> = [];
    const { manager } = recorded(ioredis, {
      on: {
        created: () => {
          throw new Error("sync boom");
        },
        destroyed: async () => {
          throw new Error("async boom");
        },
      },
      onHookError: (error, { event }) => void reported.push([event, (error as Error).message]),
    });
    const browser = sessionClient();
    await browser.request(manager, (s) => void (s.data.visits = 1));
    await browser.request(manager, (s) => s.destroy());
    await hooksRan();
    assert.deepEqual(reported, [["created", "sync boom"], ["destroyed", "async boom"]]);
  });

  it("an onHookError that throws itself falls back to console.error", async () => {
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const { manager } = recorded(ioredis, {
        on: {
          created: () => {
            throw new Error("hook");
          },
        },
        onHookError: () => {
          throw new Error("handler");
        },
      });
      await sessionClient().request(manager, (s) => void (s.data.visits = 1));
      await hooksRan();
    } finally {
      console.error = original;
    }
    assert.equal(logged.length, 1);
    assert.match(String(logged[0]![0]), /"created" hook failed/);
    assert.equal((logged[0]![1] as Error).message, "handler");
  });

  it("bad hooks are configuration errors", () => {
    const store = redisStore({ client: ioredis, prefix: "bad:" });
    assert.throws(() => createSessionManager({ store, on: { logout: () => undefined } as never }), SessionConfigError);
    assert.throws(() => createSessionManager({ store, on: { created: "yes" } as never }), /on\.created must be a function/);
    assert.throws(() => createSessionManager({ store, onHookError: 1 as never }), /onHookError must be a function/);
  });
});

describe("hooks add no Redis command", () => {
  /** The commands of a plain read (a renewal is not due) and a plain write of an existing session. */
  async function plainCommands(store: RedisSessionStore, options: Partial<SessionManagerOptions>) {
    const manager = createSessionManager<Data>({ store, ...options });
    const browser = sessionClient();
    await browser.request(manager, (s) => void (s.data.visits = 1));
    await browser.request(manager); // the first load: the load script, which tells the store the expiry
    const read = await server.countCommands(() => browser.request(manager));
    const write = await server.countCommands(() => browser.request(manager, (s) => void (s.data.visits = 2)));
    await hooksRan();
    return { read: read.byCommand, write: write.byCommand };
  }

  for (const [name, client] of [["ioredis", () => ioredis], ["node-redis", () => nodeRedis]] as const) {
    it(`a plain read and a plain write cost the same commands with every hook set (${name})`, async () => {
      const plain = await plainCommands(redisStore({ client: client(), prefix: "plain-a:" }), {});
      const hooked = await plainCommands(redisStore({ client: client(), prefix: "plain-b:" }), {
        on: { created: () => undefined, regenerated: () => undefined, destroyed: () => undefined, revoked: () => undefined, expired: () => undefined },
      });
      assert.deepEqual(hooked, plain);
      assert.deepEqual(plain.read, { hgetall: 1 });
    });
  }
});
