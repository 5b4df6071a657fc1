/**
 * The demo launcher without a browser: how it chooses where sessions live,
 * the memory-store fallback and its banner, and that Ctrl-C leaves nothing
 * running.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chooseStore, probeRedis } from "../examples/demo/store-choice.js";
import { freePort, startRedisServer, type RedisServer } from "./support/redis-server.js";
import { getPage, isAlive, killIfAlive, logIn, startDemo, waitFor, type DemoProcess } from "./support/fleet.js";
import { CookieClient } from "./support/http.js";

describe("demo store choice", { timeout: 60_000 }, () => {
  let redis: RedisServer | undefined;
  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis?.close();
  });

  it("uses REDIS_URL when it answers", async () => {
    const store = await chooseStore({ redisUrl: redis!.url });
    assert.equal(store.kind, "redis");
    assert.equal(store.kind === "redis" && store.source, "env");
    await store.release();
  });

  it("refuses a REDIS_URL that does not answer rather than falling back silently", async () => {
    const nothingThere = `redis://127.0.0.1:${await freePort()}`;
    await assert.rejects(chooseStore({ redisUrl: nothingThere, probeTimeoutMs: 500 }), /does not answer PING/);
  });

  it("uses the local default address when something answers there", async () => {
    const store = await chooseStore({ localUrl: redis!.url });
    assert.equal(store.kind === "redis" && store.source, "local");
  });

  it("starts a private redis-server when nothing answers, and release() stops it by pid", async () => {
    const nothingThere = `redis://127.0.0.1:${await freePort()}`;
    const store = await chooseStore({ localUrl: nothingThere, probeTimeoutMs: 500 });
    assert.equal(store.kind, "redis");
    if (store.kind !== "redis") return;
    try {
      assert.equal(store.source, "private");
      assert.ok(store.pid && isAlive(store.pid));
      assert.equal(await probeRedis(store.url, 2000), undefined);
    } finally {
      await store.release();
    }
    assert.equal(isAlive(store.pid!), false);
  });

  it("falls back to the memory store when there is no Redis and no redis-server binary", async () => {
    const nothingThere = `redis://127.0.0.1:${await freePort()}`;
    const store = await chooseStore({ localUrl: nothingThere, probeTimeoutMs: 500, redisServerCommand: "no-such-redis-server-binary" });
    assert.equal(store.kind, "memory");
    assert.match(store.description, /memory store/);
  });
});

describe("demo launcher", { timeout: 240_000 }, () => {
  const started: DemoProcess[] = [];
  let redis: RedisServer | undefined;
  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    for (const demo of started) await demo.stop();
    killIfAlive(started.flatMap((d) => d.pids));
    await redis?.close();
  });

  it("memory fallback: one instance, and every page says so plainly", async () => {
    const demo = await startDemo({ port: await freePort(), args: ["--memory", "--instances", "3"] });
    started.push(demo);
    assert.match(demo.output(), /sessions: memory store/);
    assert.match(demo.output(), /running 1 instance instead of 3/);
    assert.equal(demo.instancePids.length, 1);
    const client = new CookieClient(demo.url);
    for (const path of ["/", "/login"]) {
      const { body: html } = await client.get(path);
      assert.match(html, /class="banner"/, path);
      assert.match(html, /not shared/, path);
    }
    assert.equal(await logIn(client, "ada"), 303);
    assert.equal((await getPage(client)).user, "ada");
  });

  it("Ctrl-C (SIGINT to its process group) stops every instance it started and exits 0", async () => {
    const demo = await startDemo({ port: await freePort(), args: ["--instances", "2"], env: { REDIS_URL: redis!.url }, detached: true });
    started.push(demo);
    assert.match(demo.output(), /sessions: Redis at redis:\/\/127\.0\.0\.1:\d+\/? \(from REDIS_URL\)/);
    const pids = demo.pids;
    assert.equal(demo.instancePids.length, 2);
    assert.ok(pids.every(isAlive));
    // What a terminal does on Ctrl-C: the signal goes to the whole foreground group.
    process.kill(-demo.pid, "SIGINT");
    assert.equal(await demo.exited, 0);
    await waitFor("every instance to be gone", () => (pids.some(isAlive) ? undefined : true), { timeoutMs: 15_000 });
  });

  it("rejects bad flags with a usage message", async () => {
    await assert.rejects(startDemo({ port: await freePort(), args: ["--instances", "0"], readyTimeoutMs: 30_000 }), /--instances must be an integer/);
  });
});
