import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createDecipheriv, hkdfSync } from "node:crypto";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import {
  CREATED_AT_FIELD,
  createSessionManager,
  DEVICE_FIELD,
  SessionConfigError,
  USER_ID_FIELD,
  type Session,
  type SessionManager,
  type SessionManagerOptions,
} from "tessera-session";
import { redisStore, type RedisSessionStore } from "tessera-session/redis";
import { adapterConformance } from "tessera-session/testing";
import { withRedis } from "./support/conformance.js";
import { serveExpress } from "./support/express-conformance-app.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { sessionClient, type SessionClient } from "./support/session-client.js";

// Session data encrypted at rest (`encryptData: true`) on a real
// redis-server: what Redis holds and sees, what still works (reload,
// listings, the CLI, delta commits, concurrent writers, regenerate), what a
// Redis writer cannot do (move sealed fields between keys or sessions), and
// migration in both directions.

type Data = Record<string, unknown>;

/** Known plaintexts, searched for in everything Redis holds or is sent. */
const SECRET_NAME = "ada-lovelace-7f3a";
const SECRET_NOTE = "analytical engine ✓ 9c41";
const CLI = fileURLToPath(new URL("../dist/cli/index.js", import.meta.url));

let server: RedisServer;
let redis: Redis;
/** A second client, as an operator or an attacker with a dump would have: never used by a store. */
let spy: Redis;
before(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
  spy = new Redis(server.url);
});
after(async () => {
  redis.disconnect();
  spy.disconnect();
  await server.close();
});

function instance(prefix: string, options: Partial<SessionManagerOptions> = {}): { manager: SessionManager<Data>; store: RedisSessionStore } {
  const store = redisStore({ client: redis, prefix });
  return { manager: createSessionManager<Data>({ store, encryptData: true, ...options }), store };
}

/** One request with a fixed cookie (for concurrent requests of one browser). */
async function requestWith(manager: SessionManager<Data>, cookie: string, handler: (session: Session<Data>) => unknown): Promise<void> {
  const session = await manager.load({ cookieHeader: `tessera=${cookie}`, secure: false });
  await handler(session);
  await manager.commit(session);
}

async function loggedIn(manager: SessionManager<Data>, data: Data = { name: SECRET_NAME, note: SECRET_NOTE }): Promise<{ client: SessionClient; id: string }> {
  const client = sessionClient();
  const session = await client.request(manager, (s) => Object.assign(s.data, data));
  assert.ok(session.id);
  return { client, id: session.id };
}

function assertNoPlaintext(text: string, where: string): void {
  for (const secret of [SECRET_NAME, SECRET_NOTE, "lovelace", "analytical"]) {
    assert.ok(!text.includes(secret), `${where} holds the plaintext ${JSON.stringify(secret)}`);
  }
}

describe("encryptData: what Redis holds", () => {
  it("keeps no plaintext of the data in the hash, while the @ metadata stays clear and listings work", async () => {
    const { manager, store } = instance("raw:");
    const client = sessionClient();
    const session = await client.request(manager, async (s) => {
      await s.bindUser("user-1", { label: "Firefox on macOS", ip: "192.0.2.7" });
      s.data.name = SECRET_NAME;
      s.data.note = SECRET_NOTE;
      s.data.cart = [{ sku: "lovelace-1", qty: 2 }];
    });
    const hash = await spy.hgetall(store.sessionKey(session.id!));
    assertNoPlaintext(JSON.stringify(hash), "the session hash");
    for (const key of ["name", "note", "cart"]) assert.match(hash[key]!, /^~1[A-Za-z0-9_-]+$/, `${key} is sealed`);
    assert.ok(Number(hash[CREATED_AT_FIELD]) > 0, "@c in clear");
    assert.equal(hash[USER_ID_FIELD], "user-1", "@u in clear");
    assert.equal(JSON.parse(hash[DEVICE_FIELD]!).label, "Firefox on macOS", "@m in clear");
    const dump = await spy.dumpBuffer(store.sessionKey(session.id!));
    assertNoPlaintext(dump.toString("latin1") + dump.toString("utf8"), "DUMP of the key");

    const [listed] = await manager.listUserSessions("user-1", { currentId: session.id });
    assert.equal(listed?.id, session.id);
    assert.equal(listed?.label, "Firefox on macOS");
    assert.equal(listed?.current, true);
    const cli = await runCli(["--prefix", "raw:", "sessions", "--user", "user-1", "--json"]);
    assert.equal(cli.code, 0, cli.stderr);
    const parsed = JSON.parse(cli.stdout) as { sessions: Array<{ id: string; label: string }> };
    assert.deepEqual(parsed.sessions.map((s) => [s.id, s.label]), [[session.id, "Firefox on macOS"]]);
    assertNoPlaintext(cli.stdout, "the CLI's listing");
  });

  it("sends Redis no plaintext: a MONITOR client sees only sealed texts for a login, a read and a write", async () => {
    const { manager } = instance("monitor:");
    const monitor = await spy.monitor();
    const seen: string[] = [];
    monitor.on("monitor", (_time: string, args: string[]) => seen.push(args.join(" ")));
    try {
      const { client } = await loggedIn(manager);
      await client.request(manager, (s) => assert.equal(s.data.name, SECRET_NAME));
      await client.request(manager, (s) => void (s.data.note = `${SECRET_NOTE} again`));
      await client.request(manager); // MONITOR delivers in order: the last commands arrived by now
    } finally {
      monitor.disconnect();
    }
    assert.ok(seen.some((line) => line.includes("~1")), "the monitor saw the writes");
    assertNoPlaintext(seen.join("\n"), "the MONITOR stream");
  });

  it("seals in the documented format: ~1 + base64url(nonce | AES-256-GCM ciphertext | tag), key HKDF-SHA256(token), AAD ~1 + field", async () => {
    const { manager, store } = instance("format:");
    const { client, id } = await loggedIn(manager);
    const token = client.cookie!; // no secrets: the cookie is the token itself
    const key = Buffer.from(hkdfSync("sha256", token, "", "tessera-session data v1", 32));
    const hash = await spy.hgetall(store.sessionKey(id));
    const open = (field: string, text: string): string => {
      assert.ok(text.startsWith("~1"));
      const bytes = Buffer.from(text.slice(2), "base64url");
      const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(`~1${field}`));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString("utf8");
    };
    assert.equal(open("name", hash.name!), JSON.stringify(SECRET_NAME));
    assert.equal(open("note", hash.note!), JSON.stringify(SECRET_NOTE));
  });

  it("round-trips every kind of JSON value, on this instance and on another one", async () => {
    const { manager } = instance("roundtrip:");
    const data = { name: SECRET_NAME, note: SECRET_NOTE, count: 12, ok: true, none: null, nested: { list: [1, "two", { three: 3 }] }, empty: "" };
    const { client } = await loggedIn(manager, data);
    const other = instance("roundtrip:").manager; // a second app instance: nothing shared but Redis and the cookie
    for (const reader of [manager, other]) {
      const session = await client.request(reader);
      assert.deepEqual({ ...session.data }, data);
    }
  });
});

describe("encryptData: delta commits and concurrency keep their guarantees", () => {
  it("a plain read sends 1 command and a write 2, rewriting only the changed field", async () => {
    const { manager, store } = instance("delta:");
    const { client, id } = await loggedIn(manager);
    const before = await spy.hgetall(store.sessionKey(id));
    const read = await server.countCommands(() => client.request(manager, (s) => assert.equal(s.data.name, SECRET_NAME)));
    assert.equal(read.total, 1, "plain read");
    const write = await server.countCommands(() => client.request(manager, (s) => void (s.data.visits = 1)));
    assert.equal(write.total, 2, "write");
    const afterwards = await spy.hgetall(store.sessionKey(id));
    assert.equal(afterwards.name, before.name, "an unchanged field keeps its sealed text: not re-encrypted, not rewritten");
    assert.equal(afterwards.note, before.note);
    assert.match(afterwards.visits!, /^~1/);
  });

  it("20 concurrent requests on one session, each setting its own key, keep 20 of 20 keys", async () => {
    const { manager } = instance("concurrent:");
    const { client } = await loggedIn(manager);
    await Promise.all(Array.from({ length: 20 }, (_, i) => requestWith(manager, client.cookie!, (s) => void (s.data[`k${i}`] = i))));
    const session = await client.request(manager);
    const kept = Array.from({ length: 20 }, (_, i) => session.data[`k${i}`] === i).filter(Boolean).length;
    assert.equal(kept, 20);
    assert.equal(session.data.name, SECRET_NAME);
  });
});

describe("encryptData: regenerate re-encrypts under the new token", () => {
  it("kills the old token, and the new record's fields open only with the new token", async () => {
    const { manager, store } = instance("regen:");
    const { client, id: oldId } = await loggedIn(manager);
    const oldCookie = client.cookie!;
    const oldHash = await spy.hgetall(store.sessionKey(oldId));
    const regenerated = await client.request(manager, (s) => s.regenerate());
    const newId = regenerated.id!;
    assert.notEqual(newId, oldId);
    assert.equal(await spy.exists(store.sessionKey(oldId)), 0, "the old record is gone, in the same step");
    const newHash = await spy.hgetall(store.sessionKey(newId));
    assert.notEqual(newHash.name, oldHash.name, "sealed again, not copied");
    assertNoPlaintext(JSON.stringify(newHash), "the new record");

    await requestWith(manager, oldCookie, (s) => {
      assert.equal(s.isNew, true, "the old token is dead");
      assert.equal(s.data.name, undefined);
    });
    // Put the new record's sealed fields back under the old token's id: the
    // old token's key cannot open them.
    await spy.hset(store.sessionKey(oldId), { ...newHash });
    await requestWith(manager, oldCookie, (s) => {
      assert.equal(s.isNew, false, "the planted record loads");
      assert.deepEqual({ ...s.data }, {}, "but no field opens with the old token");
    });
    await spy.del(store.sessionKey(oldId));
    const fresh = await client.request(manager);
    assert.deepEqual({ ...fresh.data }, { name: SECRET_NAME, note: SECRET_NOTE }, "the new token opens them");
  });
});

describe("encryptData: a Redis writer cannot move sealed fields", () => {
  it("a field copied from another session, or from another key, or altered, fails authentication and is dropped", async () => {
    const { manager, store } = instance("move:");
    const alice = await loggedIn(manager, { name: "alice", role: "admin" });
    const bob = await loggedIn(manager, { name: "bob", role: "reader", plan: "free" });
    const aliceHash = await spy.hgetall(store.sessionKey(alice.id));
    const bobHash = await spy.hgetall(store.sessionKey(bob.id));

    await spy.hset(store.sessionKey(bob.id), "role", aliceHash.role!); // another session's field
    await spy.hset(store.sessionKey(bob.id), "plan", bobHash.role!); // another key's field, same session
    const flipped = bobHash.name!.slice(0, -3) + (bobHash.name!.endsWith("AAA") ? "BBB" : "AAA");
    await spy.hset(store.sessionKey(bob.id), "name", flipped); // altered
    const session = await bob.client.request(manager);
    assert.equal(session.isNew, false, "the request goes on with the session");
    assert.deepEqual({ ...session.data }, {}, "no moved or altered field is accepted");

    await spy.hset(store.sessionKey(bob.id), "name", bobHash.name!);
    const restored = await bob.client.request(manager);
    assert.deepEqual({ ...restored.data }, { name: "bob" }, "the untouched original still opens");
  });
});

describe("encryptData: clear fields planted by a Redis writer", () => {
  it('are read (and then sealed) with true, for the migration, and dropped with "strict"', async () => {
    const prefix = "plant:";
    const migrating = instance(prefix);
    const { client, id } = await loggedIn(migrating.manager, { name: "bob" });
    await spy.hset(migrating.store.sessionKey(id), "role", JSON.stringify("admin"));
    const strict = instance(prefix, { encryptData: "strict" }).manager;
    const refused = await client.request(strict);
    assert.deepEqual({ ...refused.data }, { name: "bob" }, "strict: the planted clear field is not session data");
    const accepted = await client.request(migrating.manager);
    assert.deepEqual({ ...accepted.data }, { name: "bob", role: "admin" }, "true: read as a field written before encryption was on");
    assert.match((await spy.hget(migrating.store.sessionKey(id), "role"))!, /^~1/, "and sealed at that commit");
  });
});

describe("encryptData: migration", () => {
  it("turning it on logs nobody out: clear fields are read, then sealed at the session's next commit", async () => {
    const prefix = "migrate-on:";
    const clear = instance(prefix, { encryptData: false });
    const { client, id } = await loggedIn(clear.manager);
    assert.equal((await spy.hgetall(clear.store.sessionKey(id))).name, JSON.stringify(SECRET_NAME), "written in clear");

    const { manager } = instance(prefix);
    const first = await client.request(manager);
    assert.deepEqual({ ...first.data }, { name: SECRET_NAME, note: SECRET_NOTE }, "the clear session is read");
    const hash = await spy.hgetall(clear.store.sessionKey(id));
    assertNoPlaintext(JSON.stringify(hash), "the record after its first request with encryption on");
    assert.match(hash.name!, /^~1/);
    const next = await server.countCommands(() => client.request(manager, (s) => assert.equal(s.data.name, SECRET_NAME)));
    assert.equal(next.total, 1, "migrated once: later reads write nothing");
  });

  it("turning it off loses nothing: sealed fields are still read, and changed ones are written in clear", async () => {
    const prefix = "migrate-off:";
    const sealed = instance(prefix);
    const { client, id } = await loggedIn(sealed.manager);
    const { manager } = instance(prefix, { encryptData: false });
    const read = await server.countCommands(() => client.request(manager, (s) => assert.equal(s.data.name, SECRET_NAME)));
    assert.equal(read.total, 1, "a plain read, no rewrite");
    await client.request(manager, (s) => void (s.data.note = "changed"));
    const hash = await spy.hgetall(sealed.store.sessionKey(id));
    assert.match(hash.name!, /^~1/, "an unchanged field stays sealed");
    assert.equal(hash.note, JSON.stringify("changed"));
    const again = await client.request(manager);
    assert.deepEqual({ ...again.data }, { name: SECRET_NAME, note: "changed" });
  });
});

describe("encryptData: configuration", () => {
  it('rejects a value other than true, "strict" or false, saying what to pass', () => {
    assert.throws(
      () => createSessionManager({ store: redisStore({ client: redis }), encryptData: "yes" as never }),
      (error: unknown) => error instanceof SessionConfigError && /encryptData must be true, "strict" or false, got "yes"/.test(error.message),
    );
  });
});

// The adapter conformance suite, end to end over HTTP, with encryption on.
adapterConformance({ ...withRedis("express", "ioredis", serveExpress), name: "express over ioredis, encryptData", managerOptions: { encryptData: true } });

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? "", REDIS_URL: server.url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
