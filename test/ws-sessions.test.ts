// WebSockets (`ws`) bound to sessions, with two app instances on one real
// redis-server: the upgrade loads the session (401 without one, 503 in an
// outage, never a hang), and a socket on instance B closes with 4401 when
// its session is destroyed, regenerated or revoked on instance A or by the
// CLI, or expires; socket handlers' changes are commits an HTTP request sees.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { memoryStore } from "tessera-session/memory";
import { SESSION_ENDED_CLOSE_CODE } from "tessera-session/ws";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { CookieClient } from "./support/http.js";
import { runCli } from "./support/cli.js";
import { openSocket, PREFIX, startInstance, within, type LiveInstance } from "./support/socket-apps.js";

const BOUND_MS = 5000;

async function logIn(instance: LiveInstance, username: string): Promise<{ browser: CookieClient; id: string }> {
  const browser = new CookieClient(instance.baseUrl);
  const response = await browser.post("/login", { username });
  assert.equal(response.status, 200, response.body);
  return { browser, id: (JSON.parse(response.body) as { id: string }).id };
}

/** The browser's cookie, sent to another instance (a load balancer would). */
const cookieOf = (browser: CookieClient): string => browser.cookieHeader()!;

describe("ws: sockets end when their session ends, across instances", { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let a: LiveInstance;
  let b: LiveInstance;

  before(async () => {
    redis = await startRedisServer();
    a = await startInstance("A", redis.url);
    b = await startInstance("B", redis.url);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await redis?.close();
  });

  it("refuses an upgrade without a session with 401, and admits a signed-in one with its session", async () => {
    await assert.rejects(openSocket(b.wsUrl, undefined), { status: 401 });
    await assert.rejects(openSocket(b.wsUrl, "tessera=forged"), { status: 401 });
    const { browser } = await logIn(a, "ada");
    const socket = await openSocket(b.wsUrl, cookieOf(browser));
    assert.equal(await socket.ask("ping"), "pong");
    socket.ws.close();
    await socket.closed;
  });

  it("a logout on A closes the socket on B with 4401 'session destroyed'", async () => {
    const { browser } = await logIn(a, "grace");
    const socket = await openSocket(b.wsUrl, cookieOf(browser));
    assert.equal((await browser.post("/logout", {})).status, 200);
    const closed = await within(BOUND_MS, "the close", socket.closed);
    assert.deepEqual([closed.code, closed.reason], [SESSION_ENDED_CLOSE_CODE, "session destroyed"]);
  });

  it("a regenerate on A closes the old session's socket on B ('session regenerated')", async () => {
    const { browser } = await logIn(a, "linus");
    const socket = await openSocket(b.wsUrl, cookieOf(browser));
    assert.equal((await browser.get("/relogin")).status, 200);
    const closed = await within(BOUND_MS, "the close", socket.closed);
    assert.deepEqual([closed.code, closed.reason], [SESSION_ENDED_CLOSE_CODE, "session regenerated"]);
    // The new token opens a socket again.
    const again = await openSocket(b.wsUrl, cookieOf(browser));
    again.ws.close();
    await again.closed;
  });

  it("revoking one session on A closes only its sockets, on both instances", async () => {
    const first = await logIn(a, "barbara");
    const second = await logIn(b, "barbara");
    const onB = await openSocket(b.wsUrl, cookieOf(first.browser));
    const onA = await openSocket(a.wsUrl, cookieOf(first.browser));
    const other = await openSocket(b.wsUrl, cookieOf(second.browser));
    await first.browser.post("/revoke", { id: first.id });
    for (const socket of [onB, onA]) {
      const closed = await within(BOUND_MS, "the close", socket.closed);
      assert.deepEqual([closed.code, closed.reason], [SESSION_ENDED_CLOSE_CODE, "session revoked"]);
    }
    assert.equal(await other.ask("ping"), "pong", "another session's socket stays open");
    other.ws.close();
    await other.closed;
  });

  it("'log out everywhere else' closes the other devices' sockets and keeps this one's", async () => {
    const here = await logIn(a, "margaret");
    const phone = await logIn(b, "margaret");
    const tablet = await logIn(b, "margaret");
    const sockets = [await openSocket(b.wsUrl, cookieOf(phone.browser)), await openSocket(a.wsUrl, cookieOf(tablet.browser))];
    const mine = await openSocket(b.wsUrl, cookieOf(here.browser));
    const answer = JSON.parse((await here.browser.post("/revoke-all", { except: here.id })).body) as { revoked: string[] };
    assert.deepEqual(answer.revoked.sort(), [phone.id, tablet.id].sort());
    for (const socket of sockets) {
      const closed = await within(BOUND_MS, "the close", socket.closed);
      assert.deepEqual([closed.code, closed.reason], [SESSION_ENDED_CLOSE_CODE, "session revoked"]);
    }
    assert.equal(await mine.ask("ping"), "pong");
    mine.ws.close();
    await mine.closed;
  });

  it("a revoke from the CLI closes the socket", async () => {
    const { browser, id } = await logIn(a, "edsger");
    const socket = await openSocket(b.wsUrl, cookieOf(browser));
    const result = await runCli(["revoke", "--yes", "--prefix", PREFIX, "--", id], { env: { REDIS_URL: redis.url }, killAfterMs: 30_000 });
    assert.equal(result.code, 0, result.stderr);
    const closed = await within(BOUND_MS, "the close", socket.closed);
    assert.deepEqual([closed.code, closed.reason], [SESSION_ENDED_CLOSE_CODE, "session revoked"]);
  });

  it("a socket's change is committed as a delta an HTTP request sees at once; after the end nothing is written", async () => {
    const { browser } = await logIn(a, "frances");
    const socket = await openSocket(b.wsUrl, cookieOf(browser));
    assert.equal(await socket.ask('set:theme:"dark"'), "ok");
    const me = JSON.parse((await browser.get("/me")).body) as { data: Record<string, unknown> };
    assert.deepEqual(me.data, { username: "frances", theme: "dark" });
    await browser.post("/logout", {});
    const closed = await within(BOUND_MS, "the close", socket.closed);
    assert.equal(closed.code, SESSION_ENDED_CLOSE_CODE);
  });

  it("a socket's change to a session that ended unheard writes nothing and closes the socket", async () => {
    // C does not hear announcements (its store has none): only the fresh read at the change finds the end.
    const c = await startInstance("C", redis.url, { announce: false });
    try {
      const { browser, id } = await logIn(a, "alan");
      const socket = await openSocket(c.wsUrl, cookieOf(browser));
      await browser.post("/logout", {});
      // The change finds the session gone: the socket is closed before any answer could be sent.
      socket.ws.send('set:theme:"dark"');
      const closed = await within(BOUND_MS, "the close", socket.closed);
      assert.deepEqual([closed.code, closed.reason], [SESSION_ENDED_CLOSE_CODE, "session expired"]);
      assert.equal((await redis.command("EXISTS", `${PREFIX}s:${id}`)).trim(), ":0");
    } finally {
      await c.close();
    }
  });

  it("keeps one subscriber connection per instance, however many sockets", async () => {
    const users = await Promise.all([1, 2, 3].map((n) => logIn(a, `user-${n}`)));
    const sockets = await Promise.all(users.flatMap(({ browser }) => [openSocket(a.wsUrl, cookieOf(browser)), openSocket(b.wsUrl, cookieOf(browser))]));
    const list = await redis.command("CLIENT", "LIST", "TYPE", "pubsub");
    // The `ws` and socket.io helpers of an instance share its store's one subscriber connection.
    const subscribers = list.split("\n").filter((line) => / s?sub=[1-9]/.test(line)).length;
    assert.equal(subscribers, 2, list);
    for (const socket of sockets) socket.ws.close();
    await Promise.all(sockets.map((socket) => socket.closed));
  });
});

describe("ws on the memory store (one process)", { timeout: 60_000 }, () => {
  let redis: RedisServer;
  let solo: LiveInstance;
  before(async () => {
    redis = await startRedisServer(); // the instance's Redis client connects, though its store is in memory
    solo = await startInstance("solo", redis.url, { store: memoryStore() });
  });
  after(async () => {
    await solo?.close();
    await redis?.stop();
  });

  it("a logout closes the socket with 4401 'session destroyed': the memory store announces ends in process", async () => {
    const { browser } = await logIn(solo, "ada");
    const socket = await openSocket(solo.wsUrl, cookieOf(browser));
    assert.equal((await browser.post("/logout", {})).status, 200);
    const closed = await within(BOUND_MS, "the close", socket.closed);
    assert.deepEqual([closed.code, closed.reason], [SESSION_ENDED_CLOSE_CODE, "session destroyed"]);
  });
});
