/**
 * Migration from koa-session with koa-redis as its external store, proven
 * with the real libraries on a private redis-server. koa-session is loaded
 * untyped: its augmentation of Koa's context would clash with Tessera's
 * adapter in this compilation.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
import http, { type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import Koa from "koa";
import { Redis } from "ioredis";
import { fromKoaSession, type KoaSessionMigrateOptions } from "tessera-session/migrate";
import { close, CookieClient, listen } from "./support/http.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { assertData, assertOldRecordRemoved, browserWith, clears, startTesseraApp, tesseraCookie, tesseraSessionKeys, type TesseraApp } from "./support/migrate-rig.js";

const require = createRequire(import.meta.url);
const koaSessionModule = require("koa-session") as { default: (options: object, app: Koa) => Koa.Middleware };
const koaRedis = require("koa-redis") as (options: { client: Redis }) => object;

const APP_KEYS = ["current koa key", "previous koa key"];
const USER = { id: 9, name: "hopper" };

let redis: RedisServer;
let io: Redis;
let oldServer: Server;
let oldUrl: string;
const apps: TesseraApp[] = [];

before(async () => {
  redis = await startRedisServer();
  io = new Redis(redis.url);
  const app = new Koa();
  app.keys = APP_KEYS;
  app.use(koaSessionModule.default({ store: koaRedis({ client: io }), prefix: "ksess:", maxAge: 1_200_000 }, app));
  app.use(async (ctx) => {
    if (ctx.path === "/login") {
      const session = (ctx as unknown as { session: Record<string, unknown> }).session;
      session.user = USER;
      session.visits = 3;
      ctx.body = { ok: true };
    }
  });
  oldServer = http.createServer(app.callback());
  oldUrl = await listen(oldServer);
});

after(async () => {
  for (const app of apps) await app.close();
  await close(oldServer);
  io.disconnect();
  await redis.close();
});

async function loginOld(): Promise<{ browser: CookieClient; key: string }> {
  const browser = new CookieClient(oldUrl);
  assert.equal((await browser.get("/login")).status, 200);
  assert.ok(browser.jar.has("koa.sess.sig"));
  return { browser, key: browser.jar.get("koa.sess")! };
}

async function tesseraApp(extra: Partial<KoaSessionMigrateOptions> = {}): Promise<TesseraApp> {
  const migrate = fromKoaSession({ client: io, prefix: "", secret: APP_KEYS, cookieName: "koa.sess", ...extra });
  const app = await startTesseraApp("koa", io, migrate);
  apps.push(app);
  return app;
}

/** keygrip's signature of `data` under `key` (SHA-1, URL-safe base64 without padding). */
function keygrip(data: string, key: string): string {
  return createHmac("sha1", key).update(data).digest("base64").replace(/\/|\+|=/g, (c) => ({ "/": "_", "+": "-", "=": "" })[c]!);
}

describe("migrating from koa-session + koa-redis", () => {
  it("serves the old user with their data, sets Tessera's cookie, clears both old cookies and removes the old record", async () => {
    const { browser, key } = await loginOld();
    assert.ok(key.startsWith("ksess:"));
    assert.equal(await io.exists(key), 1);
    const app = await tesseraApp();
    const user = browserWith(app.url, browser.jar);
    const first = await user.get("/me");
    assert.equal(first.status, 200);
    assertData(first.body, { user: USER, visits: 3 });
    assert.ok(tesseraCookie(first.setCookies));
    assert.ok(clears(first.setCookies, "koa.sess"));
    assert.ok(clears(first.setCookies, "koa.sess.sig"));
    await assertOldRecordRemoved(io, key);
    const [tesseraKey] = await tesseraSessionKeys(io);
    const ttl = await io.pttl(tesseraKey!);
    assert.ok(ttl > 0 && ttl <= 1_200_000, `TTL ${ttl}`);
    assert.deepEqual([...user.jar.keys()], ["tessera"]);
    assertData((await user.get("/me")).body, { user: USER, visits: 3 });
    await io.del(...(await tesseraSessionKeys(io)));
  });

  it("verifies a signature made with an older app key", async () => {
    await io.set("ksess:older", JSON.stringify({ user: USER, _expire: Date.now() + 60_000, _maxAge: 60_000 }), "EX", 60);
    const app = await tesseraApp();
    const cookie = `koa.sess=ksess:older; koa.sess.sig=${keygrip("koa.sess=ksess:older", APP_KEYS[1]!)}`;
    assertData((await new CookieClient(app.url).get("/me", { cookie })).body, { user: USER });
    await io.del(...(await tesseraSessionKeys(io)));
  });

  it("with keep: true keeps the old record", async () => {
    const { browser, key } = await loginOld();
    const app = await tesseraApp({ keep: true });
    assertData((await browserWith(app.url, browser.jar).get("/me")).body, { user: USER, visits: 3 });
    assert.equal(await io.exists(key), 1);
    await io.del(...(await tesseraSessionKeys(io)), ...(await io.keys("tessera:migrated:*")));
  });

  it("ten concurrent first requests of one user end in exactly one Tessera session", async () => {
    const { browser } = await loginOld();
    const app = await tesseraApp();
    const cookie = `koa.sess=${browser.jar.get("koa.sess")}; koa.sess.sig=${browser.jar.get("koa.sess.sig")}`;
    const responses = await Promise.all(Array.from({ length: 10 }, () => new CookieClient(app.url).get("/me", { cookie })));
    for (const res of responses) assertData(res.body, { user: USER, visits: 3 });
    assert.equal(new Set(responses.map((r) => tesseraCookie(r.setCookies))).size, 1);
    assert.equal((await tesseraSessionKeys(io)).length, 1);
    await io.del(...(await tesseraSessionKeys(io)));
  });

  it("ignores a wrong-key, missing or forged signature, and requests without the cookie, with no Redis command", async () => {
    const { key } = await loginOld();
    const app = await tesseraApp();
    const cookies = [
      `koa.sess=${key}; koa.sess.sig=${keygrip(`koa.sess=${key}`, "not an app key")}`,
      `koa.sess=${key}`,
      `koa.sess=${key}; koa.sess.sig=${keygrip(`koa.sess=${key}x`, APP_KEYS[0]!)}`,
      undefined,
    ];
    for (const cookie of cookies) {
      let body = "";
      const counted = await redis.countCommands(async () => (body = (await new CookieClient(app.url).get("/me", cookie ? { cookie } : {})).body));
      assert.equal(counted.total, 0, String(cookie));
      assertData(body, {});
    }
    assert.equal(await io.exists(key), 1);
  });
});
