/**
 * Migration from @fastify/session (with connect-redis on node-redis, as its
 * README suggests), proven with the real libraries on a private
 * redis-server. The libraries are loaded untyped: their type augmentations
 * of Fastify's request would clash with Tessera's adapter in this
 * compilation.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance, type FastifyPluginCallback } from "fastify";
import { RedisStore } from "connect-redis";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { fromFastifySession, type FastifySessionMigrateOptions } from "tessera-session/migrate";
import { CookieClient } from "./support/http.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { assertData, assertOldRecordRemoved, browserWith, clears, startTesseraApp, tesseraCookie, tesseraSessionKeys, type TesseraApp } from "./support/migrate-rig.js";

const require = createRequire(import.meta.url);
const fastifyCookie = require("@fastify/cookie") as FastifyPluginCallback & { Signer: new (secrets: string[]) => { sign(value: string): string } };
const fastifySessionPlugin = require("@fastify/session") as FastifyPluginCallback<Record<string, unknown>>;

const OLD_SECRET = "an old @fastify/session secret, 32+ characters long";
const USER = { id: 7, name: "grace" };

let redis: RedisServer;
let nodeClient: ReturnType<typeof createClient>;
let io: Redis;
let oldApp: FastifyInstance;
let oldUrl: string;
const apps: TesseraApp[] = [];

before(async () => {
  redis = await startRedisServer();
  nodeClient = createClient({ url: redis.url });
  await nodeClient.connect();
  io = new Redis(redis.url);
  oldApp = Fastify();
  await oldApp.register(fastifyCookie);
  await oldApp.register(fastifySessionPlugin, {
    secret: OLD_SECRET,
    store: new RedisStore({ client: nodeClient, prefix: "fsess:" }),
    saveUninitialized: false,
    cookie: { secure: false, maxAge: 900_000 },
  });
  oldApp.get("/login", async (request) => {
    const session = (request as unknown as { session: { set(key: string, value: unknown): void } }).session;
    session.set("user", USER);
    session.set("theme", "dark");
    return { ok: true };
  });
  await oldApp.listen({ port: 0, host: "127.0.0.1" });
  oldUrl = `http://127.0.0.1:${(oldApp.server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const app of apps) await app.close();
  await oldApp.close();
  io.disconnect();
  await nodeClient.quit();
  await redis.close();
});

async function loginOld(): Promise<{ browser: CookieClient; sid: string }> {
  const browser = new CookieClient(oldUrl);
  assert.equal((await browser.get("/login")).status, 200);
  const value = decodeURIComponent(browser.jar.get("sessionId")!);
  return { browser, sid: value.slice(0, value.lastIndexOf(".")) };
}

async function tesseraApp(extra: Partial<FastifySessionMigrateOptions> = {}): Promise<TesseraApp> {
  const migrate = fromFastifySession({ client: nodeClient, prefix: "fsess:", secret: OLD_SECRET, cookieName: "sessionId", ...extra });
  const app = await startTesseraApp("fastify", io, migrate);
  apps.push(app);
  return app;
}

describe("migrating from @fastify/session + connect-redis", () => {
  it("serves the old user with their data, sets Tessera's cookie, clears the old one and removes the old record", async () => {
    const { browser, sid } = await loginOld();
    assert.equal(await io.exists(`fsess:${sid}`), 1);
    const app = await tesseraApp();
    const user = browserWith(app.url, browser.jar);
    const first = await user.get("/me");
    assert.equal(first.status, 200);
    assertData(first.body, { user: USER, theme: "dark" });
    assert.ok(tesseraCookie(first.setCookies));
    assert.ok(clears(first.setCookies, "sessionId"));
    await assertOldRecordRemoved(io, `fsess:${sid}`);
    const [key] = await tesseraSessionKeys(io);
    const ttl = await io.pttl(key!);
    assert.ok(ttl > 0 && ttl <= 900_000, `TTL ${ttl}`);
    assertData((await user.get("/me")).body, { user: USER, theme: "dark" });
    await io.del(...(await tesseraSessionKeys(io)));
  });

  it("with keep: true keeps the old record", async () => {
    const { browser, sid } = await loginOld();
    const app = await tesseraApp({ keep: true });
    const user = browserWith(app.url, browser.jar);
    assertData((await user.get("/me")).body, { user: USER, theme: "dark" });
    assert.equal(await io.exists(`fsess:${sid}`), 1);
    await io.del(...(await tesseraSessionKeys(io)), ...(await io.keys("tessera:migrated:*")));
  });

  it("ten concurrent first requests of one user end in exactly one Tessera session", async () => {
    const { browser } = await loginOld();
    const app = await tesseraApp();
    const cookie = `sessionId=${browser.jar.get("sessionId")}`;
    const responses = await Promise.all(Array.from({ length: 10 }, () => new CookieClient(app.url).get("/me", { cookie })));
    for (const res of responses) assertData(res.body, { user: USER, theme: "dark" });
    assert.equal(new Set(responses.map((r) => tesseraCookie(r.setCookies))).size, 1);
    assert.equal((await tesseraSessionKeys(io)).length, 1);
    await io.del(...(await tesseraSessionKeys(io)));
  });

  it("ignores a wrong-secret or forged old cookie, and requests without one, with no Redis command", async () => {
    const { sid } = await loginOld();
    const app = await tesseraApp();
    const wrong = new fastifyCookie.Signer(["a different secret of at least 32 chars"]).sign(sid);
    for (const cookie of [`sessionId=${encodeURIComponent(wrong)}`, `sessionId=${sid}`, "sessionId=x.y", undefined]) {
      let body = "";
      const counted = await redis.countCommands(async () => (body = (await new CookieClient(app.url).get("/me", cookie ? { cookie } : {})).body));
      assert.equal(counted.total, 0, String(cookie));
      assertData(body, {});
    }
    assert.equal(await io.exists(`fsess:${sid}`), 1);
  });
});
