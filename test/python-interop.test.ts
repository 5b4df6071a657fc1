/**
 * Format 1 across languages (docs/format.md): the Node manager and the Flask
 * interface (python/tessera_session, driven through test/support/python-peer.py
 * on Debian's /usr/bin/python3) share sessions in one real Redis. Node writes,
 * Python reads, and back; 20 concurrent writers split between the languages
 * keep 20 of 20 keys; a logout in one is never undone by a slow write in the
 * other; both agree on expiry to the second; CSRF tokens verify both ways.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import * as recordFields from "../src/core/record-fields.js";
import { csrfTokenMatches } from "../src/core/csrf-token.js";
import { createSessionManager, csrfToken, type SessionManager } from "../src/index.js";
import { redisStore } from "../src/store/redis/index.js";
import * as scripts from "../src/store/redis/scripts.js";
import { fakeClock, type FakeClock } from "../src/testing/clock.js";
import { REPO_ROOT } from "./support/fleet.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

const PYTHON = "/usr/bin/python3";
const SECRET = "x".repeat(32);
const IDLE_SECONDS = 600;
const ABSOLUTE_SECONDS = 3600;
/** Longest a peer command may take before the test fails instead of hanging. */
const ANSWER_TIMEOUT_MS = 15_000;

type Data = Record<string, unknown>;
interface Answer {
  cookie?: string | null;
  data?: Data;
  id?: string | null;
  expiresAt?: number | null;
  userId?: string | null;
  token?: string;
  matches?: boolean;
  fields?: Record<string, string>;
  shas?: Record<string, string>;
  error?: string;
}

/** The Python peer: one process, commands answered in order. */
class PythonPeer {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiting: Array<(answer: Answer) => void> = [];
  #stderr = "";

  constructor(redisUrl: string) {
    this.#child = spawn(PYTHON, [`${REPO_ROOT}/test/support/python-peer.py`], {
      env: { ...process.env, REDIS_URL: redisUrl, SESSION_SECRETS: JSON.stringify([SECRET]), IDLE_SECONDS: String(IDLE_SECONDS), ABSOLUTE_SECONDS: String(ABSOLUTE_SECONDS) },
    });
    this.#child.stderr.on("data", (chunk: Buffer) => (this.#stderr += chunk.toString()));
    createInterface({ input: this.#child.stdout }).on("line", (line) => this.#waiting.shift()?.(JSON.parse(line) as Answer));
  }

  async send(command: Record<string, unknown>): Promise<Answer> {
    let timer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([
      new Promise<Answer>((resolve) => {
        this.#waiting.push(resolve);
        this.#child.stdin.write(`${JSON.stringify(command)}\n`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`python peer gave no answer to ${command.op}: ${this.#stderr}`)), ANSWER_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    if (answer.error) throw new Error(`python peer: ${answer.error}`);
    return answer;
  }

  stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()));
    this.#child.stdin.end();
    return exited;
  }
}

/** The session cookie's value in a Set-Cookie header ("" for a clearing one), or `fallback` without one. */
function cookieValue(setCookie: string | undefined, fallback: string | undefined): string | undefined {
  if (setCookie === undefined) return fallback;
  return /^tessera=([^;]*)/.exec(setCookie)?.[1];
}

describe("format 1 across Node and Python", { timeout: 120_000 }, () => {
  let server: RedisServer;
  let client: Redis;
  let clock: FakeClock;
  let sessions: SessionManager<Data>;
  let python: PythonPeer;

  before(async () => {
    server = await startRedisServer();
    client = new Redis(server.url);
    clock = fakeClock(Date.now());
    sessions = createSessionManager<Data>({
      store: redisStore({ client }),
      secrets: [SECRET],
      idleTimeoutSeconds: IDLE_SECONDS,
      absoluteTimeoutSeconds: ABSOLUTE_SECONDS,
      clock,
    });
    python = new PythonPeer(server.url);
  });

  after(async () => {
    await python?.stop();
    client?.disconnect();
    await server?.close();
  });

  /** Node loads the session of `cookie`, lets `change` act on it, commits; the cookie after. */
  async function node(cookie: string | undefined, change: (session: Awaited<ReturnType<SessionManager<Data>["load"]>>) => unknown = () => undefined) {
    const session = await sessions.load({ cookieHeader: cookie ? `tessera=${cookie}` : undefined, secure: false });
    await change(session);
    const setCookie = await sessions.commit(session);
    return { session, cookie: cookieValue(setCookie, cookie) };
  }

  it("both languages name the same fields and run byte-identical scripts", async () => {
    const format = await python.send({ op: "format" });
    assert.deepEqual(format.fields, {
      createdAt: recordFields.CREATED_AT_FIELD,
      userId: recordFields.USER_ID_FIELD,
      lastSeen: recordFields.LAST_SEEN_FIELD,
      lease: recordFields.LEASE_FIELD,
      tombstone: recordFields.TOMBSTONE_FIELD,
      expiry: recordFields.EXPIRY_FIELD,
      retired: recordFields.RETIRED_FIELD,
      device: recordFields.DEVICE_FIELD,
      csrfSecret: recordFields.CSRF_SECRET_FIELD,
    });
    assert.deepEqual(format.shas, {
      "load.lua": scripts.LOAD_SCRIPT.sha,
      "write.lua": scripts.WRITE_SCRIPT.sha,
      "index-add.lua": scripts.INDEX_ADD_SCRIPT.sha,
      "index-remove.lua": scripts.INDEX_REMOVE_SCRIPT.sha,
    });
  });

  it("Node writes, Python reads; Python changes, adds and deletes keys, Node reads", async () => {
    const values = { username: "ada", cart: [1, { sku: "naïve 😀", qty: 2.5 }], flag: true, nothing: null, gone: "soon" };
    const { cookie, session } = await node(undefined, (s) => Object.assign(s.data, values));
    const read = await python.send({ op: "read", cookie, now: clock.now() });
    assert.deepEqual(read.data, values);
    assert.equal(read.id, session.id);

    const written = await python.send({ op: "write", cookie, now: clock.now(), set: { username: "grace", added: { n: 1 } }, del: ["gone"] });
    assert.ok(written.cookie === null || written.cookie === cookie, "an update keeps the token");
    const back = await node(cookie);
    const { gone: _gone, ...kept } = values;
    assert.deepEqual({ ...back.session.data }, { ...kept, username: "grace", added: { n: 1 } });
  });

  it("a Python login regenerates: Node reads the user under the new token, and the old token is dead in both", async () => {
    const first = await node(undefined, (s) => (s.data.cart = ["book"]));
    const login = await python.send({ op: "login", cookie: first.cookie, username: "ada", now: clock.now() });
    assert.ok(login.cookie && login.cookie !== first.cookie);
    const after = await node(login.cookie!);
    assert.deepEqual({ ...after.session.data }, { cart: ["book"], username: "ada" });
    assert.equal((await node(first.cookie)).session.id, undefined, "Node: old token dead");
    assert.equal((await python.send({ op: "read", cookie: first.cookie, now: clock.now() })).id, null, "Python: old token dead");
  });

  it("a Node login with bindUser is read by Python with its user; a Python logout removes it from the user's index", async () => {
    const { cookie, session } = await node(undefined, async (s) => {
      await s.regenerate();
      await s.bindUser("ada", { label: "test" });
      s.data.username = "ada";
    });
    const read = await python.send({ op: "read", cookie, now: clock.now() });
    assert.equal(read.userId, "ada");
    await python.send({ op: "write", cookie, now: clock.now(), set: { visits: 1 } });
    const reread = await node(cookie);
    assert.equal(reread.session.userId, "ada", "a Python write keeps the binding");
    assert.equal((await sessions.listUserSessions("ada", { currentId: session.id })).length, 1);
    const logout = await python.send({ op: "logout", cookie, now: clock.now() });
    assert.equal(logout.cookie, "", "the cookie is cleared");
    assert.equal((await node(cookie)).session.id, undefined);
    assert.equal(await client.zcard("tessera:u:ada"), 0);
  });

  it("20 concurrent writers split between the languages keep 20 of 20 keys", async () => {
    const { cookie } = await node(undefined, (s) => (s.data.seed = 0));
    // Every writer loads before any commits: each starts from the same record.
    for (let i = 0; i < 10; i++) await python.send({ op: "open", handle: `w${i}`, cookie, now: clock.now() });
    const loaded = await Promise.all(Array.from({ length: 10 }, () => sessions.load({ cookieHeader: `tessera=${cookie}`, secure: false })));
    const nodeCommits = loaded.map((session, i) => {
      session.data[`node${i}`] = i;
      return sessions.commit(session);
    });
    const pythonSaves = Array.from({ length: 10 }, (_, i) => python.send({ op: "save", handle: `w${i}`, set: { [`python${i}`]: i }, now: clock.now() }));
    await Promise.all([...nodeCommits, ...pythonSaves]);
    const data = (await node(cookie)).session.data;
    const kept = Array.from({ length: 10 }, (_, i) => [`node${i}`, `python${i}`]).flat().filter((key) => key in data);
    assert.equal(kept.length, 20, `kept ${kept.length} of 20: ${kept.join(", ")}`);
  });

  it("a logout in Node is never undone by a slow Python write, nor one in Python by a slow Node write", async () => {
    const a = await node(undefined, (s) => (s.data.username = "ada"));
    await python.send({ op: "open", handle: "slow", cookie: a.cookie, now: clock.now() });
    await node(a.cookie, (s) => s.destroy());
    const slow = await python.send({ op: "save", handle: "slow", set: { cart: [1] }, now: clock.now() });
    assert.equal(slow.cookie, "", "Python clears the cookie of a session that is gone");
    assert.equal((await node(a.cookie)).session.id, undefined);

    const b = await node(undefined, (s) => (s.data.username = "ada"));
    const slowNode = await sessions.load({ cookieHeader: `tessera=${b.cookie}`, secure: false });
    await python.send({ op: "logout", cookie: b.cookie, now: clock.now() });
    slowNode.data.cart = [1];
    const setCookie = await sessions.commit(slowNode);
    assert.match(setCookie ?? "", /^tessera=;/, "Node clears the cookie of a session that is gone");
    assert.equal((await python.send({ op: "read", cookie: b.cookie, now: clock.now() })).id, null);
  });

  it("expiry agrees to the second: the same expiry read, and the absolute timeout ends it in both at once", async () => {
    const created = clock.now();
    const one = await node(undefined, (s) => (s.data.n = 1));
    const two = await node(undefined, (s) => (s.data.n = 2));
    const read = await python.send({ op: "read", cookie: one.cookie, now: clock.now() });
    assert.ok(Math.abs(read.expiresAt! - one.session.expiresAt!) <= 1000, `${read.expiresAt} vs ${one.session.expiresAt}`);

    // A second before the absolute timeout both still load it...
    clock.set(created + ABSOLUTE_SECONDS * 1000 - 1000);
    assert.equal((await python.send({ op: "read", cookie: one.cookie, now: clock.now() })).data?.n, 1);
    assert.equal((await node(two.cookie)).session.data.n, 2);
    // ...and a second after, neither does (each language deciding alone, on its own session).
    clock.set(created + ABSOLUTE_SECONDS * 1000 + 1000);
    assert.equal((await python.send({ op: "read", cookie: one.cookie, now: clock.now() })).id, null);
    assert.equal((await node(two.cookie)).session.id, undefined);
    clock.set(Date.now());
  });

  it("CSRF tokens of either language verify in the other", async () => {
    let nodeToken = "";
    const { cookie } = await node(undefined, (s) => {
      nodeToken = csrfToken(s);
    });
    assert.equal((await python.send({ op: "check", cookie, token: nodeToken, now: clock.now() })).matches, true);
    const pythonToken = (await python.send({ op: "csrf", cookie, now: clock.now() })).token!;
    const { session } = await node(cookie);
    const secret = await client.hget(`tessera:s:${session.id}`, recordFields.CSRF_SECRET_FIELD);
    assert.ok(secret && csrfTokenMatches(pythonToken, secret));
    assert.equal((await python.send({ op: "check", cookie, token: "A".repeat(86), now: clock.now() })).matches, false);
  });
});
