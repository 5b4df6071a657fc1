// The socket machinery's lifecycle rules, against real servers: a socket
// closes when its session expires (re-checked at the expiry, no keyspace
// notifications); socket traffic does not keep a session alive, HTTP
// requests do; a store outage at the upgrade gets the outage policy, never a
// hang; and HTTP requests cost the same Redis commands with sockets open.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SESSION_ENDED_CLOSE_CODE } from "tessera-session/ws";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { CookieClient } from "./support/http.js";
import { openSocket, startInstance, within, type LiveInstance, type OpenSocket } from "./support/socket-apps.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function logIn(instance: LiveInstance, username: string): Promise<CookieClient> {
  const browser = new CookieClient(instance.baseUrl);
  assert.equal((await browser.post("/login", { username })).status, 200);
  return browser;
}

/** Calls `step` every `intervalMs` for `durationMs` (bounded in count and time). */
async function repeatFor(durationMs: number, intervalMs: number, step: () => Promise<unknown>): Promise<void> {
  const until = Date.now() + durationMs;
  for (let i = 0; i < 1000 && Date.now() < until; i++) {
    await step();
    await sleep(intervalMs);
  }
}

describe("ws: expiry, keep-alive rule, outages, cost", { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let short: LiveInstance;

  before(async () => {
    redis = await startRedisServer();
    // Idle timeout 2 s: expiry is reached in the test's time.
    short = await startInstance("short", redis.url, { manager: { idleTimeoutSeconds: 2, renewIntervalSeconds: 0.2 } });
  });
  after(async () => {
    await short?.close();
    await redis?.close();
  });

  it("socket traffic (messages and session changes) does not keep the session alive: it closes as 'session expired'", async () => {
    const browser = await logIn(short, "ada");
    const socket = await openSocket(short.wsUrl, browser.cookieHeader());
    let closedBy: number | undefined;
    void socket.closed.then((closed) => (closedBy = closed.code));
    // 3.5 s of traffic, well past the 2 s idle timeout.
    await repeatFor(3500, 250, async () => {
      if (closedBy !== undefined) return;
      socket.ws.send("ping");
      socket.ws.send(`set:tick:${Date.now()}`);
    });
    const closed = await within(5000, "the close", socket.closed);
    assert.deepEqual([closed.code, closed.reason], [SESSION_ENDED_CLOSE_CODE, "session expired"]);
    const me = JSON.parse((await browser.get("/me")).body) as { id: string | null };
    assert.equal(me.id, null, "the session is gone for HTTP too");
  });

  it("HTTP requests keep the session, and so its socket, alive past the first expiry", async () => {
    const browser = await logIn(short, "grace");
    const socket: OpenSocket = await openSocket(short.wsUrl, browser.cookieHeader());
    let closed = false;
    void socket.closed.then(() => (closed = true));
    await repeatFor(3500, 250, () => browser.get("/me"));
    assert.equal(closed, false, "the socket outlived the first expiry while HTTP requests renewed the session");
    assert.equal(await socket.ask("ping"), "pong");
    // Then idle: it expires, and the re-check at the new expiry closes the socket.
    const end = await within(6000, "the close", socket.closed);
    assert.deepEqual([end.code, end.reason], [SESSION_ENDED_CLOSE_CODE, "session expired"]);
  });

  it("an HTTP read or write costs the same Redis commands with sockets open and the subscriber running", async () => {
    const browser = await logIn(short, "linus");
    const sockets = await Promise.all(Array.from({ length: 20 }, () => openSocket(short.wsUrl, browser.cookieHeader())));
    await browser.get("/me"); // settle any renewal due
    const read = await redis.countCommands(() => browser.get("/me"));
    const write = await redis.countCommands(() => browser.get(`/set?key=n&value=${Date.now()}`));
    // Without sockets (and with announcements off), the same requests on a bare instance:
    const bare = await startInstance("bare", redis.url, { announce: false, manager: { idleTimeoutSeconds: 2, renewIntervalSeconds: 0.2 } });
    try {
      const other = await logIn(bare, "edsger");
      await other.get("/me");
      const bareRead = await redis.countCommands(() => other.get("/me"));
      const bareWrite = await redis.countCommands(() => other.get(`/set?key=n&value=${Date.now()}`));
      assert.deepEqual(read, bareRead);
      assert.deepEqual(write, bareWrite);
    } finally {
      await bare.close();
    }
    for (const counts of [read, write]) {
      assert.equal(counts.byCommand.publish ?? 0, 0);
      assert.equal(counts.byCommand.spublish ?? 0, 0);
    }
    for (const socket of sockets) socket.ws.close();
  });
});

describe("ws: a store outage at the upgrade", { timeout: 60_000 }, () => {
  let redis: RedisServer;
  let failing: LiveInstance;
  let lenient: LiveInstance;

  before(async () => {
    redis = await startRedisServer();
    failing = await startInstance("failing", redis.url);
    lenient = await startInstance("lenient", redis.url, { requireSession: false, manager: { storeOutage: "anonymous" } });
  });
  after(async () => {
    redis?.resume();
    await failing?.close();
    await lenient?.close();
    await redis?.close();
  });

  it("is refused with 503 under the 'fail' policy, admitted unbound under 'anonymous'; neither hangs", async () => {
    const browser = await logIn(failing, "barbara");
    redis.pause();
    try {
      await within(5000, "the refusal", assert.rejects(openSocket(failing.wsUrl, browser.cookieHeader()), { status: 503 }));
      const socket = await within(5000, "the admission", openSocket(lenient.wsUrl, browser.cookieHeader()));
      assert.equal(await socket.ask("ping"), "pong");
      socket.ws.close();
    } finally {
      redis.resume();
    }
  });
});
