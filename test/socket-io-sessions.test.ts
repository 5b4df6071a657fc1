// socket.io bound to sessions, with two instances sharing one redis-server
// through @socket.io/redis-adapter (as a fleet would run it): the handshake
// is refused with a connect_error without a session, and a logout or revoke
// on instance A disconnects the socket on instance B after telling it why.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Socket as ClientSocket } from "socket.io-client";
import { SESSION_ENDED_EVENT } from "tessera-session/socket.io";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { CookieClient } from "./support/http.js";
import { openIo, startInstance, within, type LiveInstance } from "./support/socket-apps.js";

const BOUND_MS = 5000;

async function logIn(instance: LiveInstance, username: string): Promise<{ browser: CookieClient; id: string }> {
  const browser = new CookieClient(instance.baseUrl);
  const response = await browser.post("/login", { username });
  assert.equal(response.status, 200, response.body);
  return { browser, id: (JSON.parse(response.body) as { id: string }).id };
}

/** Resolves with the end's reason and the disconnect's, in the order the client saw them. */
function ending(socket: ClientSocket): Promise<{ reason: string; disconnect: string }> {
  return new Promise((resolve) => {
    let reason = "(no event)";
    socket.once(SESSION_ENDED_EVENT, (payload: { reason: string }) => (reason = payload.reason));
    socket.once("disconnect", (disconnect) => resolve({ reason, disconnect }));
  });
}

describe("socket.io: sockets end when their session ends, across instances", { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let a: LiveInstance;
  let b: LiveInstance;

  before(async () => {
    redis = await startRedisServer();
    a = await startInstance("A", redis.url, { ioRedisAdapter: true });
    b = await startInstance("B", redis.url, { ioRedisAdapter: true });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await redis?.close();
  });

  it("refuses a connection without a session: connect_error with data.code SESSION_REQUIRED", async () => {
    await assert.rejects(openIo(b.baseUrl, undefined), (error: Error & { data?: { code: string; status: number } }) => {
      assert.deepEqual(error.data, { code: "SESSION_REQUIRED", status: 401 });
      return true;
    });
  });

  it("a logout on A disconnects the socket on B, after the 'destroyed' event; broadcasts cross instances", async () => {
    const { browser } = await logIn(a, "ada");
    const onB = await openIo(b.baseUrl, browser.cookieHeader());
    const onA = await openIo(a.baseUrl, browser.cookieHeader());
    // The Redis adapter carries a broadcast from B's socket to A's.
    const news = new Promise<string>((resolve) => onA.once("news", resolve));
    onB.emit("broadcast", "hello from B");
    assert.equal(await within(BOUND_MS, "the broadcast", news), "hello from B");

    const endB = ending(onB);
    const endA = ending(onA);
    await browser.post("/logout", {});
    for (const end of [endB, endA]) {
      assert.deepEqual(await within(BOUND_MS, "the disconnect", end), { reason: "destroyed", disconnect: "io server disconnect" });
    }
  });

  it("a revoke on A disconnects the revoked session's socket on B, and not another's", async () => {
    const first = await logIn(a, "grace");
    const second = await logIn(a, "grace");
    const revoked = await openIo(b.baseUrl, first.browser.cookieHeader());
    const kept = await openIo(b.baseUrl, second.browser.cookieHeader());
    const end = ending(revoked);
    await first.browser.post("/revoke", { id: first.id });
    assert.deepEqual(await within(BOUND_MS, "the disconnect", end), { reason: "revoked", disconnect: "io server disconnect" });
    assert.equal(kept.connected, true);
    kept.close();
  });

  it("a handler's session change is committed and seen by HTTP at once", async () => {
    const { browser } = await logIn(a, "linus");
    const socket = await openIo(b.baseUrl, browser.cookieHeader());
    const answer = await within(BOUND_MS, "the ack", socket.emitWithAck("set", "theme", "dark") as Promise<string>);
    assert.equal(answer, "ok");
    const me = JSON.parse((await browser.get("/me")).body) as { data: Record<string, unknown> };
    assert.deepEqual(me.data, { username: "linus", theme: "dark" });
    socket.close();
  });
});
