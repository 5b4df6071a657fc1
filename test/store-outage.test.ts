import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import autocannon from "autocannon";
import { createSessionManager, SessionStoreError, type SessionStore } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("store outage policy (core)", () => {
  /** A memory store whose every call fails while `down` is true. */
  function flakyStore() {
    const inner = memoryStore();
    const state = { down: false, writes: 0 };
    const guard = <T>(work: () => Promise<T>) => (state.down ? Promise.reject(new Error("ECONNREFUSED")) : work());
    const store: SessionStore = {
      load: (...args) => guard(() => inner.load(...args)),
      write: (...args) => {
        state.writes++;
        return guard(() => inner.write(...args));
      },
      destroy: (...args) => guard(() => inner.destroy(...args)),
    };
    return { store, state };
  }

  async function loggedIn(storeOutage?: "fail" | "anonymous") {
    const { store, state } = flakyStore();
    const sessions = createSessionManager<{ user: string }>({ store, storeOutage });
    const first = await sessions.load({ cookieHeader: undefined, secure: false });
    first.data.user = "ada";
    const cookie = (await sessions.commit(first))!.split(";")[0]!;
    state.down = true;
    return { sessions, state, cookie };
  }

  it('"fail" (the default) throws SessionStoreError', async () => {
    const { sessions, cookie } = await loggedIn();
    await assert.rejects(sessions.load({ cookieHeader: cookie, secure: false }), SessionStoreError);
  });

  it('"anonymous" goes on with an empty session marked unavailable, never written back, cookie untouched', async () => {
    const { sessions, state, cookie } = await loggedIn("anonymous");
    const session = await sessions.load({ cookieHeader: cookie, secure: false });
    assert.equal(session.unavailable, true);
    assert.deepEqual(session.data, {});
    session.data.user = "mallory";
    const writesBefore = state.writes;
    assert.equal(await sessions.commit(session), undefined, "no Set-Cookie: not a logout");
    assert.equal(state.writes, writesBefore, "nothing written back");
    await assert.rejects(session.regenerate(), SessionStoreError, "a login that cannot be stored fails");
    await assert.rejects(session.destroy(), SessionStoreError, "so does a logout");

    state.down = false;
    const back = await sessions.load({ cookieHeader: cookie, secure: false });
    assert.equal(back.unavailable, false);
    assert.equal(back.data.user, "ada", "the stored session is intact");
  });

  it("a per-request policy overrides the manager's", async () => {
    const { sessions, cookie } = await loggedIn("fail");
    const session = await sessions.load({ cookieHeader: cookie, secure: false, storeOutage: "anonymous" });
    assert.equal(session.unavailable, true);
    const strict = createSessionManager({ store: memoryStore(), storeOutage: "anonymous" });
    assert.equal(strict.options.storeOutage, "anonymous");
    assert.throws(() => createSessionManager({ store: memoryStore(), storeOutage: "ignore" as "fail" }), /storeOutage must be "fail" or "anonymous"/);
  });
});

/** The chaos app in a child process, so a crash is an exit we can see. */
async function startChaosApp(redis: RedisServer, client: string, storeTimeoutMs: number) {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "test/support/chaos-app.ts"], {
    env: { ...process.env, REDIS_URL: redis.url, REDIS_CLIENT: client, STORE_TIMEOUT_MS: String(storeTimeoutMs) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("chaos app did not start within 20 s")), 20_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code) => reject(new Error(`chaos app exited early with ${code}`)));
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

interface ChaosFigures {
  byStatusClass: Record<string, number>;
  connectionErrors: number;
  timeouts: number;
  maxLatencyMs: number;
  /** From Redis being back to the end of the last failed response. */
  recoveredAfterMs: number;
  responsesAfterRecovery: number;
  sessionsLost: number | "n/a (no persistence)";
  crashed: boolean;
}

const STORE_TIMEOUT_MS = 1000;
const RUN_SECONDS = 9;
const OUTAGE_AT_MS = 1500;
const OUTAGE_MS = 3000;
/** "Within a few seconds of Redis returning". */
const RECOVERY_BOUND_MS = 3000;

/**
 * Bounded load (autocannon, 8 connections, at most 400 req/s, 9 s) against
 * the chaos app, with Redis stopped (or paused) for 3 s in the middle.
 */
async function chaos(client: string, outage: "stop" | "pause"): Promise<ChaosFigures> {
  const redis = await startRedisServer();
  const { child, base } = await startChaosApp(redis, client, STORE_TIMEOUT_MS);
  let crashed = false;
  child.once("exit", () => (crashed = true));
  try {
    const cookies: string[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await fetch(`${base}/login?user=u${i}`, { method: "POST" });
      assert.equal(response.status, 200);
      cookies.push(response.headers.getSetCookie()[0]!.split(";")[0]!);
    }
    const responses: Array<{ at: number; status: number; latencyMs: number }> = [];
    let settle!: (error: Error | null, result: autocannon.Result) => void;
    const finished = new Promise<autocannon.Result>((resolve, reject) => {
      settle = (error, result) => (error ? reject(error) : resolve(result));
    });
    const instance = autocannon(
      {
        url: base,
        connections: 8,
        overallRate: 400,
        duration: RUN_SECONDS,
        timeout: 10,
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              method: "GET",
              path: Math.random() < 0.5 ? "/page" : "/public",
              headers: { ...request.headers, cookie: cookies[Math.floor(Math.random() * cookies.length)]! },
            }),
          },
        ],
      },
      (error, result) => settle(error, result),
    );
    instance.on("response", (_client, status, _bytes, latencyMs) => responses.push({ at: Date.now(), status, latencyMs }));

    await sleep(OUTAGE_AT_MS);
    if (outage === "stop") await redis.stop();
    else redis.pause();
    await sleep(OUTAGE_MS / 2);
    // Mid-outage (checked while the outage goes on, since each probe may
    // take up to storeTimeoutMs): a page that can live without a session
    // goes on, not logged out; one that needs it fails fast with a 503.
    const probes = (async () => {
      const probeCookie = cookies[0]!;
      const [publicPage, page] = await Promise.all(
        ["/public", "/page"].map((path) => fetch(`${base}${path}`, { headers: { cookie: probeCookie }, signal: AbortSignal.timeout(5000) })),
      );
      assert.equal(publicPage!.status, 200);
      assert.deepEqual(await publicPage!.json(), { unavailable: true, user: null });
      assert.deepEqual(publicPage!.headers.getSetCookie(), [], "the cookie is left alone");
      assert.equal(page!.status, 503);
    })();
    probes.catch(() => undefined); // awaited (and rethrown) below
    await sleep(OUTAGE_MS / 2);
    if (outage === "stop") await redis.restart();
    else redis.resume();
    const backAt = Date.now();
    await probes;
    const result = await finished;

    const byStatusClass: Record<string, number> = {};
    for (const { status } of responses) byStatusClass[`${Math.floor(status / 100)}xx`] = (byStatusClass[`${Math.floor(status / 100)}xx`] ?? 0) + 1;
    const lastFailure = Math.max(backAt, ...responses.filter((r) => r.status >= 400).map((r) => r.at));
    let sessionsLost = 0;
    if (outage === "pause") {
      for (const [i, cookie] of cookies.entries()) {
        const response = await fetch(`${base}/page`, { headers: { cookie } });
        if (((await response.json()) as { user: string | null }).user !== `u${i}`) sessionsLost++;
      }
    }
    return {
      byStatusClass,
      connectionErrors: result.errors,
      timeouts: result.timeouts,
      maxLatencyMs: Math.max(...responses.map((r) => r.latencyMs)),
      recoveredAfterMs: lastFailure - backAt,
      responsesAfterRecovery: responses.filter((r) => r.at > backAt + RECOVERY_BOUND_MS).length,
      sessionsLost: outage === "pause" ? sessionsLost : "n/a (no persistence)",
      crashed,
    };
  } finally {
    child.kill("SIGTERM");
    if (child.exitCode === null) await Promise.race([once(child, "exit"), sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await redis.close();
  }
}

describe("chaos: Redis stopped or hung under load", () => {
  for (const client of ["ioredis", "node-redis"]) {
    for (const outage of ["stop", "pause"] as const) {
      it(`${client}, redis-server ${outage === "stop" ? "stopped and started again" : "SIGSTOPped and SIGCONTed"}`, async (t) => {
        const result = await chaos(client, outage);
        t.diagnostic(JSON.stringify(result));
        assert.equal(result.crashed, false, "the app never crashed");
        assert.equal(result.connectionErrors, 0, "every request got an HTTP response");
        assert.equal(result.timeouts, 0);
        assert.ok(result.maxLatencyMs <= STORE_TIMEOUT_MS + 1000, `slowest response ${result.maxLatencyMs} ms ≤ storeTimeoutMs + 1 s`);
        assert.ok(result.recoveredAfterMs <= RECOVERY_BOUND_MS, `100% success again ${result.recoveredAfterMs} ms after Redis returned`);
        assert.ok(result.responsesAfterRecovery > 50, "load continued after recovery");
        if (outage === "pause") assert.equal(result.sessionsLost, 0, "no session that existed before the outage is lost");
      });
    }
  }
});
