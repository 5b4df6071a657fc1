/**
 * Plain session reads requested in one event-loop turn reach Redis in one
 * write, as plain HGETALLs; session updates of one turn are coalesced into
 * one Redis command (a script over every key) once there are enough of them;
 * and each caller still gets exactly its own result: against a real
 * redis-server, with both clients.
 */
import assert from "node:assert/strict";
import { createConnection } from "node:net";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { createSessionManager, SessionStoreError, type ExpiryPolicy } from "tessera-session";
import { redisStore, type RedisSessionStore } from "tessera-session/redis";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

const IDLE_MS = 60_000;
const policy: ExpiryPolicy = { idleTimeoutMs: IDLE_MS, absoluteTimeoutMs: 0, renewIntervalMs: IDLE_MS / 2 };
/** The most items one coalesced command carries (MAX_ITEMS_PER_COMMAND in src/store/redis/coalesce.ts). */
const MAX_KEYS_PER_READ = 64;
/** The fewest updates that share one script (MIN_UPDATES_PER_SCRIPT in src/store/redis/session-commands.ts). */
const MIN_UPDATES_PER_SCRIPT = 8;

let server: RedisServer;
before(async () => {
  server = await startRedisServer();
});
after(async () => {
  await server.close();
});

/**
 * How many reads redis-server made from client sockets during `work`
 * (INFO stats `total_reads_processed`), less the INFO that ends the count:
 * commands written together are one read, each command written alone is
 * one more. Counted over one socket held open, so no connection's setup or
 * close falls in the window.
 */
async function countSocketReads(work: () => Promise<unknown>): Promise<number> {
  const socket = createConnection({ host: "127.0.0.1", port: Number(new URL(server.url).port) });
  const readsProcessed = () =>
    new Promise<number>((resolve, reject) => {
      let data = "";
      const onData = (chunk: Buffer) => {
        data += chunk.toString("utf8");
        const match = /total_reads_processed:(\d+)/.exec(data);
        if (match && data.endsWith("\r\n")) {
          socket.off("data", onData);
          resolve(Number(match[1]));
        }
      };
      socket.on("data", onData);
      socket.once("error", reject);
      socket.write("*2\r\n$4\r\nINFO\r\n$5\r\nstats\r\n");
    });
  try {
    const before = await readsProcessed();
    await work();
    return (await readsProcessed()) - before - 1;
  } finally {
    socket.destroy();
  }
}

/** Creates `count` sessions, each with its own `n` field; the store now knows their expiries, so loads are plain reads. */
async function createSessions(store: RedisSessionStore, count: number, label: string): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${label}${String(i).padStart(4, "0")}`);
  const now = Date.now();
  for (const [i, id] of ids.entries()) {
    const result = await store.write(id, { kind: "create", set: [["@c", String(now)], ["n", String(i)]], ttlMs: IDLE_MS }, now);
    assert.equal(result, "ok");
  }
  return ids;
}

const clients: Array<[string, (url: string) => Promise<{ client: object; quit(): Promise<unknown> }>]> = [
  ["ioredis with auto-pipelining", async (url) => {
    const client = new Redis(url, { enableAutoPipelining: true });
    return { client, quit: () => client.quit() };
  }],
  ["ioredis without auto-pipelining", async (url) => {
    const client = new Redis(url);
    return { client, quit: () => client.quit() };
  }],
  ["node-redis", async (url) => {
    const client = createClient({ url });
    await client.connect();
    return { client, quit: () => client.quit() };
  }],
];

for (const [label, connect] of clients) {
  describe(`coalesced commands over ${label}`, () => {
    let quit: () => Promise<unknown>;
    let store: RedisSessionStore;
    before(async () => {
      const connected = await connect(server.url);
      quit = connected.quit;
      store = redisStore({ client: connected.client, prefix: `coalesce-${label.replace(/\W/g, "")}:` });
    });
    after(async () => {
      await quit();
    });

    it("sends the concurrent reads of one turn in one write, as plain HGETALLs, and each caller gets its own session", async () => {
      const ids = await createSessions(store, 10, "a");
      const gone = ids[3]!;
      await Promise.all(ids.map((id) => store.load(id, Date.now(), policy)));
      // Counted first, while no other socket of this test is closing.
      const reads = await countSocketReads(() => Promise.all(ids.map((id) => store.load(id, Date.now(), policy))));
      // One read for the whole turn (one more allowed for a stray socket close of an earlier test).
      assert.ok(reads <= 2, `10 reads of one turn reached Redis in ${reads} socket reads, not one write`);
      // Deleted behind the store's back: it still takes the plain-read path, and reads as missing.
      await server.command("DEL", store.sessionKey(gone));
      let loaded: Awaited<ReturnType<RedisSessionStore["load"]>>[] = [];
      const { byCommand } = await server.countCommands(async () => {
        loaded = await Promise.all(ids.map((id) => store.load(id, Date.now(), policy)));
      });
      // No script: HGETALL inside Lua costs Redis more and saves it no I/O.
      assert.deepEqual(byCommand, { hgetall: 10 });
      for (const [i, session] of loaded.entries()) {
        if (ids[i] === gone) assert.equal(session, undefined, "a deleted session reads as missing");
        else assert.equal(session?.fields.get("n"), String(i), `session ${i} got its own data`);
      }
    });

    it("a lone read is a plain HGETALL", async () => {
      const [id] = await createSessions(store, 1, "b");
      const { byCommand } = await server.countCommands(() => store.load(id!, Date.now(), policy));
      assert.deepEqual(byCommand, { hgetall: 1 });
    });

    it(`reads more than ${MAX_KEYS_PER_READ} concurrent sessions, each as a plain HGETALL`, async () => {
      const ids = await createSessions(store, MAX_KEYS_PER_READ + 6, "c");
      let loaded: Awaited<ReturnType<RedisSessionStore["load"]>>[] = [];
      const { byCommand } = await server.countCommands(async () => {
        loaded = await Promise.all(ids.map((id) => store.load(id, Date.now(), policy)));
      });
      assert.deepEqual(byCommand, { hgetall: MAX_KEYS_PER_READ + 6 });
      assert.deepEqual(
        loaded.map((session) => session?.fields.get("n")),
        ids.map((_, i) => String(i)),
      );
    });

    it("sends the concurrent updates of one turn as one command, each applied to its own session, a deleted one refused", async () => {
      const ids = await createSessions(store, 10, "u");
      const update = (id: string, i: number) =>
        store.write(id, { kind: "update", set: [["n", `updated ${i}`], ["extra", String(i)]], del: [], ...(i % 2 ? { ttlMs: 2 * IDLE_MS } : {}) }, Date.now());
      await Promise.all(ids.map(update)); // loads the script into Redis
      const gone = ids[4]!;
      await server.command("DEL", store.sessionKey(gone));
      let results: string[] = [];
      const { total, byCommand } = await server.countCommands(async () => {
        results = await Promise.all(ids.map(update));
      });
      assert.equal(total, 1, `one command for 10 updates, got ${JSON.stringify(byCommand)}`);
      assert.deepEqual(
        results,
        ids.map((id) => (id === gone ? "gone" : "ok")),
      );
      assert.equal(await server.command("EXISTS", store.sessionKey(gone)), ":0\r\n", "a refused update does not bring the session back");
      for (const [i, id] of ids.entries()) {
        if (id === gone) continue;
        const session = await store.load(id, Date.now(), policy);
        assert.equal(session?.fields.get("n"), `updated ${i}`);
        assert.equal(session?.fields.get("extra"), String(i));
        const ttlMs = Number((await server.command("PTTL", store.sessionKey(id))).slice(1));
        if (i % 2) assert.ok(ttlMs > IDLE_MS, `session ${i}: its new TTL was set (${ttlMs} ms)`);
        else assert.ok(ttlMs <= IDLE_MS, `session ${i}: its TTL was kept (${ttlMs} ms)`);
      }
    });

    it("coalesced updates carry large writes and deletes (over Lua's unpack limit) next to small ones", async () => {
      const [big, small] = await createSessions(store, 2, "l");
      const many = Array.from({ length: 700 }, (_, i) => [`f${i}`, String(i)] as [string, string]);
      const write = (id: string, set: Array<[string, string]>, del: string[]) => store.write(id, { kind: "update", set, del }, Date.now());
      assert.deepEqual(await Promise.all([write(big!, many, []), write(small!, [["n", "small"]], [])]), ["ok", "ok"]);
      assert.equal((await store.load(big!, Date.now(), policy))?.fields.size, 2 + 700);
      const dropped = many.map(([field]) => field);
      assert.deepEqual(await Promise.all([write(small!, [], ["n"]), write(big!, [["kept", "1"]], dropped)]), ["ok", "ok"]);
      assert.deepEqual([...(await store.load(big!, Date.now(), policy))!.fields.keys()].sort(), ["@c", "kept", "n"]);
      assert.deepEqual([...(await store.load(small!, Date.now(), policy))!.fields.keys()], ["@c"]);
    });

    it(`sends fewer than ${MIN_UPDATES_PER_SCRIPT} concurrent updates each as its own script, each with its own result`, async () => {
      const ids = await createSessions(store, MIN_UPDATES_PER_SCRIPT - 1, "p");
      const update = (id: string, i: number) => store.write(id, { kind: "update", set: [["n", `small ${i}`]], del: [] }, Date.now());
      await Promise.all(ids.map(update)); // loads the script into Redis
      const gone = ids[2]!;
      await server.command("DEL", store.sessionKey(gone));
      let results: string[] = [];
      const { byCommand } = await server.countCommands(async () => {
        results = await Promise.all(ids.map(update));
      });
      assert.deepEqual(byCommand, { evalsha: ids.length });
      assert.deepEqual(
        results,
        ids.map((id) => (id === gone ? "gone" : "ok")),
      );
      assert.equal(await server.command("EXISTS", store.sessionKey(gone)), ":0\r\n", "a refused update does not bring the session back");
      for (const [i, id] of ids.entries()) {
        if (id !== gone) assert.equal((await store.load(id, Date.now(), policy))?.fields.get("n"), `small ${i}`);
      }
    });

    it(`a batch of ${MIN_UPDATES_PER_SCRIPT} updates in one script carries large writes and deletes next to small ones`, async () => {
      const ids = await createSessions(store, MIN_UPDATES_PER_SCRIPT, "m");
      const [big] = ids;
      const many = Array.from({ length: 700 }, (_, i) => [`f${i}`, String(i)] as [string, string]);
      const write = (id: string, set: Array<[string, string]>, del: string[]) => store.write(id, { kind: "update", set, del }, Date.now());
      const first = await server.countCommands(() => Promise.all(ids.map((id) => write(id, id === big ? many : [["n", "small"]], []))));
      assert.equal(first.byCommand.evalsha ?? first.byCommand.eval, 1, `one script for the batch, got ${JSON.stringify(first.byCommand)}`);
      assert.equal((await store.load(big!, Date.now(), policy))?.fields.size, 2 + 700);
      const dropped = many.map(([field]) => field);
      const second = await Promise.all(ids.map((id) => (id === big ? write(id, [["kept", "1"]], dropped) : write(id, [], ["n"]))));
      assert.deepEqual(second, ids.map(() => "ok"));
      assert.deepEqual([...(await store.load(big!, Date.now(), policy))!.fields.keys()].sort(), ["@c", "kept", "n"]);
      for (const id of ids.slice(1)) assert.deepEqual([...(await store.load(id, Date.now(), policy))!.fields.keys()], ["@c"]);
    });

    it("falls back to EVAL when Redis has lost the script", async () => {
      const ids = await createSessions(store, 3, "d");
      await server.command("SCRIPT", "FLUSH");
      const updated = await Promise.all(ids.map((id, i) => store.write(id, { kind: "update", set: [["n", String(i * 10)]], del: [] }, Date.now())));
      assert.deepEqual(updated, ["ok", "ok", "ok"]);
      await server.command("SCRIPT", "FLUSH");
      const loaded = await Promise.all(ids.map((id) => store.load(id, Date.now(), policy)));
      assert.deepEqual(
        loaded.map((session) => session?.fields.get("n")),
        ["0", "10", "20"],
      );
    });
  });
}

describe("coalesce: false", () => {
  it("sends every read and every update as its own command", async () => {
    const client = new Redis(server.url, { enableAutoPipelining: true });
    try {
      const store = redisStore({ client, prefix: "coalesce-off:", coalesce: false });
      const ids = await createSessions(store, 5, "o");
      const { byCommand } = await server.countCommands(async () => {
        await Promise.all(ids.map((id) => store.load(id, Date.now(), policy)));
        await Promise.all(ids.map((id) => store.write(id, { kind: "update", set: [["n", "x"]], del: [] }, Date.now())));
      });
      assert.deepEqual(byCommand, { hgetall: 5, evalsha: 5 });
    } finally {
      client.disconnect();
    }
  });

  it("is checked: a non-boolean is a TypeError", () => {
    assert.throws(() => redisStore({ client: new Redis({ lazyConnect: true }), coalesce: "no" as unknown as boolean }), /coalesce must be true or false/);
  });
});

describe("a coalesced read that fails", () => {
  it("fails every request in it with SessionStoreError, and they succeed once Redis is back", async () => {
    const client = new Redis(server.url, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
    try {
      const store = redisStore({ client, prefix: "coalesce-fail:" });
      const manager = createSessionManager<{ n: number }>({ store, storeTimeoutMs: 300 });
      // Sessions created through the manager, so the requests carry real cookies.
      const cookies: string[] = [];
      for (let i = 0; i < 5; i++) {
        const session = await manager.load({ cookieHeader: undefined, secure: false });
        session.data.n = i;
        cookies.push((await manager.commit(session))!.split(";")[0]!);
      }
      server.pause();
      let results: PromiseSettledResult<unknown>[];
      try {
        results = await Promise.allSettled(cookies.map((cookieHeader) => manager.load({ cookieHeader, secure: false })));
      } finally {
        server.resume();
      }
      for (const result of results) {
        assert.equal(result.status, "rejected");
        assert.ok((result as PromiseRejectedResult).reason instanceof SessionStoreError);
      }
      const sessions = await Promise.all(cookies.map((cookieHeader) => manager.load({ cookieHeader, secure: false })));
      assert.deepEqual(
        sessions.map((session) => session.data.n),
        [0, 1, 2, 3, 4],
      );
    } finally {
      client.disconnect();
    }
  });
});
