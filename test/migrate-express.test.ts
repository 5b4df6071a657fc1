/**
 * Migration from express-session + connect-redis, proven with the real
 * libraries on a private redis-server: the old app logs users in, the
 * Tessera app serves them with their data, once, with nobody logged out.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import http, { type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import express from "express";
import { RedisStore } from "connect-redis";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { fromExpressSession, LegacySessionError, type MigrateOptions } from "tessera-session/migrate";
import { close, CookieClient, listen } from "./support/http.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import {
  assertData,
  assertOldRecordRemoved,
  browserWith,
  clears,
  startTesseraApp,
  tesseraCookie,
  tesseraSessionKeys,
  type TesseraApp,
} from "./support/migrate-rig.js";

const require = createRequire(import.meta.url);
const expressSession = require("express-session") as (options: object) => express.RequestHandler;
const cookieSignature = require("cookie-signature") as { sign(value: string, secret: string): string };

const OLD_SECRET = "old express-session secret";
const OLDER_SECRET = "an older express-session secret";
const USER = { id: 42, name: "ada" };

let redis: RedisServer;
let nodeClient: ReturnType<typeof createClient>;
let io: Redis;
let oldServer: Server;
let oldUrl: string;
const apps: TesseraApp[] = [];

before(async () => {
  redis = await startRedisServer();
  nodeClient = createClient({ url: redis.url });
  await nodeClient.connect();
  io = new Redis(redis.url);
  const app = express();
  app.use(
    expressSession({
      store: new RedisStore({ client: nodeClient, prefix: "sess:" }),
      secret: [OLD_SECRET, OLDER_SECRET],
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 600_000 },
    }),
  );
  app.post("/login", (req, res) => {
    const session = (req as unknown as { session: Record<string, unknown> }).session;
    session.user = USER;
    session.cart = ["book", "pen"];
    res.json({ ok: true });
  });
  oldServer = http.createServer(app);
  oldUrl = await listen(oldServer);
});

after(async () => {
  for (const app of apps) await app.close();
  await close(oldServer);
  io.disconnect();
  await nodeClient.quit();
  await redis.close();
});

/** Logs a user in on the old app: the browser then holds `connect.sid`. */
async function loginOld(): Promise<{ browser: CookieClient; sid: string }> {
  const browser = new CookieClient(oldUrl);
  const res = await browser.post("/login", {});
  assert.equal(res.status, 200);
  const value = decodeURIComponent(browser.jar.get("connect.sid")!);
  return { browser, sid: value.slice(2, value.lastIndexOf(".")) };
}

function migrateOptions(extra: Partial<MigrateOptions> = {}): MigrateOptions {
  return { client: nodeClient, prefix: "sess:", secret: [OLD_SECRET, OLDER_SECRET], cookieName: "connect.sid", ...extra };
}

async function tesseraApp(extra: Partial<MigrateOptions> = {}, options: Parameters<typeof startTesseraApp>[3] = {}): Promise<TesseraApp> {
  const app = await startTesseraApp("express", io, fromExpressSession(migrateOptions(extra)), options);
  apps.push(app);
  return app;
}

describe("migrating from express-session + connect-redis", () => {
  it("serves the old user with their data, sets Tessera's cookie, clears the old one and removes the old record", async () => {
    const { browser, sid } = await loginOld();
    assert.equal(await io.exists(`sess:${sid}`), 1);
    const app = await tesseraApp();
    const user = browserWith(app.url, browser.jar);

    const first = await user.get("/me");
    assert.equal(first.status, 200);
    assertData(first.body, { user: USER, cart: ["book", "pen"] });
    assert.ok(tesseraCookie(first.setCookies), "Tessera's cookie is set");
    assert.ok(clears(first.setCookies, "connect.sid"), "the old cookie is cleared");
    assert.ok(first.setCookies.find((l) => l.startsWith("connect.sid=;"))!.includes("Path=/"));
    await assertOldRecordRemoved(io, `sess:${sid}`);
    assert.deepEqual([...user.jar.keys()], ["tessera"]);

    // The remaining lifetime is honoured: the old session had at most 600 s left.
    const [key] = await tesseraSessionKeys(io);
    const ttl = await io.pttl(key!);
    assert.ok(ttl > 0 && ttl <= 600_000, `TTL ${ttl}`);

    const second = await user.get("/me");
    assertData(second.body, { user: USER, cart: ["book", "pen"] });
    assert.ok(!clears(second.setCookies, "connect.sid"));
    await io.del(...(await tesseraSessionKeys(io)));
  });

  it("a migrating request sends four commands in two round trips before the response; later ones, and those without the old cookie, pay as usual", async () => {
    const { browser } = await loginOld();
    const app = await tesseraApp();
    // Read the old record (1); create the Tessera record and cut the old
    // record's expiry to the grace window, sent together (2); remove the old
    // record, sent once the create answered, without holding up the response.
    const user = browserWith(app.url, browser.jar);
    const migrating = await redis.countCommands(() => user.get("/me"));
    assert.equal(migrating.total, 4, JSON.stringify(migrating.byCommand));
    // Within the grace window, the old cookie alone: read (nothing), load.
    const inFlight = await redis.countCommands(() => new CookieClient(app.url).get("/me", { cookie: `connect.sid=${browser.jar.get("connect.sid")}` }));
    assert.equal(inFlight.total, 2, JSON.stringify(inFlight.byCommand));
    // With Tessera's cookie: the load, as without migrate.
    const migrated = await redis.countCommands(() => user.get("/me"));
    assert.equal(migrated.total, 1, JSON.stringify(migrated.byCommand));
    // keep: true: read and check the marker; create; set the marker.
    const kept = await loginOld();
    const keepApp = await tesseraApp({ keep: true });
    const keeping = await redis.countCommands(() => browserWith(keepApp.url, kept.browser.jar).get("/me"));
    assert.equal(keeping.total, 4, JSON.stringify(keeping.byCommand));
    await io.del(...(await io.keys("tessera:migrated:*")), `sess:${kept.sid}`);
    const anonymous = await redis.countCommands(() => new CookieClient(app.url).get("/me", { cookie: "theme=dark" }));
    assert.equal(anonymous.total, 0);
    const none = await redis.countCommands(() => new CookieClient(app.url).get("/me"));
    assert.equal(none.total, 0);
    await io.del(...(await tesseraSessionKeys(io)));
  });

  it("ten concurrent first requests of one user end in exactly one Tessera session", async () => {
    const { browser } = await loginOld();
    const app = await tesseraApp();
    const cookie = `connect.sid=${browser.jar.get("connect.sid")}`;
    const responses = await Promise.all(Array.from({ length: 10 }, () => new CookieClient(app.url).get("/me", { cookie })));
    for (const res of responses) {
      assert.equal(res.status, 200);
      assertData(res.body, { user: USER, cart: ["book", "pen"] });
    }
    const tokens = new Set(responses.map((r) => tesseraCookie(r.setCookies)));
    assert.equal(tokens.size, 1, "every request got the same Tessera cookie");
    assert.equal((await tesseraSessionKeys(io)).length, 1);
    await io.del(...(await tesseraSessionKeys(io)));
  });

  it("ignores a forged or wrong-secret old cookie without any Redis command", async () => {
    const { sid } = await loginOld();
    const app = await tesseraApp();
    const forged = [
      `connect.sid=${encodeURIComponent(cookieSignature.sign(`s:${sid}`, "not the secret"))}`,
      `connect.sid=${encodeURIComponent(`s:${sid}.${"A".repeat(43)}`)}`,
      `connect.sid=s%3A${sid}`,
      `connect.sid=${sid}`,
      "connect.sid=%E0%A4%A",
    ];
    for (const cookie of forged) {
      let res!: Awaited<ReturnType<CookieClient["get"]>>;
      const counted = await redis.countCommands(async () => (res = await new CookieClient(app.url).get("/me", { cookie })));
      assert.equal(counted.total, 0, cookie);
      assertData(res.body, {});
      assert.deepEqual(res.setCookies, []);
    }
    assert.equal(await io.exists(`sess:${sid}`), 1, "the old record is untouched");
  });

  it("also verifies cookies signed with an older secret of the list", async () => {
    const value = cookieSignature.sign("legacy-older-sid", OLDER_SECRET);
    await nodeClient.set("sess:legacy-older-sid", JSON.stringify({ cookie: { path: "/" }, user: USER }), { EX: 300 });
    const app = await tesseraApp();
    const res = await new CookieClient(app.url).get("/me", { cookie: `connect.sid=${encodeURIComponent(`s:${value}`)}` });
    assertData(res.body, { user: USER });
    await io.del(...(await tesseraSessionKeys(io)));
  });

  it("replaying the old cookie after a Tessera logout brings nothing back", async () => {
    const { browser } = await loginOld();
    const app = await tesseraApp();
    const oldCookie = `connect.sid=${browser.jar.get("connect.sid")}`;
    const user = browserWith(app.url, browser.jar);
    assertData((await user.get("/me")).body, { user: USER, cart: ["book", "pen"] });
    await user.post("/logout", {});
    assert.equal((await tesseraSessionKeys(io)).length, 0);
    const replay = await new CookieClient(app.url).get("/me", { cookie: oldCookie });
    assertData(replay.body, {});
    assert.ok(clears(replay.setCookies, "connect.sid"), "the dead old cookie is cleared");
    assert.equal((await tesseraSessionKeys(io)).length, 0);
  });

  it("with keep: true keeps the old record, and a replay after logout still brings nothing back", async () => {
    const { browser, sid } = await loginOld();
    const app = await tesseraApp({ keep: true });
    const oldCookie = `connect.sid=${browser.jar.get("connect.sid")}`;
    const user = browserWith(app.url, browser.jar);
    const first = await user.get("/me");
    assertData(first.body, { user: USER, cart: ["book", "pen"] });
    assert.ok(clears(first.setCookies, "connect.sid"));
    assert.equal(await io.exists(`sess:${sid}`), 1, "the old record is kept");
    await user.post("/logout", {});
    const replay = await new CookieClient(app.url).get("/me", { cookie: oldCookie });
    assertData(replay.body, {});
    assert.equal((await tesseraSessionKeys(io)).length, 0, "no session came back");
    // The old app still serves it: keeping it is for a rollback.
    assert.equal(await io.exists(`sess:${sid}`), 1);
    await io.del(...(await io.keys("tessera:migrated:*")));
  });

  it("after the grace window, the old cookie no longer reaches the migrated session", async () => {
    const { browser } = await loginOld();
    let offsetMs = 0;
    const app = await tesseraApp({}, { clock: { now: () => Date.now() + offsetMs } });
    const oldCookie = `connect.sid=${browser.jar.get("connect.sid")}`;
    const user = browserWith(app.url, browser.jar);
    await user.get("/me");
    // Within the grace window (a request sent before the browser stored the new cookie): the same session.
    const inFlight = await new CookieClient(app.url).get("/me", { cookie: oldCookie });
    assertData(inFlight.body, { user: USER, cart: ["book", "pen"] });
    assert.equal(tesseraCookie(inFlight.setCookies), user.jar.get("tessera"));
    offsetMs = 120_000;
    const stolen = await new CookieClient(app.url).get("/me", { cookie: oldCookie });
    assertData(stolen.body, {});
    assert.equal(tesseraCookie(stolen.setCookies), undefined);
    assertData((await user.get("/me")).body, { user: USER, cart: ["book", "pen"] });
    await io.del(...(await tesseraSessionKeys(io)));
  });

  it("reports a corrupt old record, leaves it in place and serves the request anonymously", async () => {
    const reported: Error[] = [];
    const app = await tesseraApp({ onError: (error) => reported.push(error) });
    for (const [sid, text] of [["corrupt-1", "{not json"], ["corrupt-2", "[1,2]"]] as const) {
      await nodeClient.set(`sess:${sid}`, text, { EX: 300 });
      const cookie = `connect.sid=${encodeURIComponent(`s:${cookieSignature.sign(sid, OLD_SECRET)}`)}`;
      const res = await new CookieClient(app.url).get("/me", { cookie });
      assert.equal(res.status, 200);
      assertData(res.body, {});
      assert.deepEqual(res.setCookies, [], "the old cookie is left alone");
      assert.equal(await nodeClient.get(`sess:${sid}`), text, "nothing lost");
    }
    assert.equal(reported.length, 2);
    assert.ok(reported.every((e) => e instanceof LegacySessionError && e.code === "TESSERA_MIGRATE_UNREADABLE"));
    assert.equal((await tesseraSessionKeys(io)).length, 0);
  });

  it("a record Tessera cannot store (over maxSessionBytes) is reported and left in place, its lifetime untouched", async () => {
    const reported: Error[] = [];
    const app = await tesseraApp({ onError: (error) => reported.push(error) }, { maxSessionBytes: 1024 });
    const text = JSON.stringify({ cookie: { path: "/" }, blob: "x".repeat(4096) });
    await nodeClient.set("sess:too-large", text, { EX: 300 });
    const cookie = `connect.sid=${encodeURIComponent(`s:${cookieSignature.sign("too-large", OLD_SECRET)}`)}`;
    const res = await new CookieClient(app.url).get("/me", { cookie });
    assert.equal(res.status, 200);
    assertData(res.body, {});
    assert.deepEqual(res.setCookies, []);
    assert.equal(reported.length, 1);
    assert.match(reported[0]!.message, /maxSessionBytes/);
    assert.equal(await nodeClient.get("sess:too-large"), text);
    assert.ok((await io.pttl("sess:too-large")) > 200_000, "the claim never cut its expiry");
    assert.equal((await tesseraSessionKeys(io)).length, 0);
  });

  it("with encryptData, the migrated fields are stored sealed and read back", async () => {
    const { browser } = await loginOld();
    const app = await tesseraApp({}, { encryptData: true });
    const user = browserWith(app.url, browser.jar);
    assertData((await user.get("/me")).body, { user: USER, cart: ["book", "pen"] });
    const [key] = await tesseraSessionKeys(io);
    const stored = await io.hgetall(key!);
    assert.ok(stored.user!.startsWith("~1") && !stored.user!.includes("ada"), "sealed at rest");
    assertData((await user.get("/me")).body, { user: USER, cart: ["book", "pen"] });
    await io.del(...(await tesseraSessionKeys(io)));
  });

  it("under the anonymous outage policy, a migrating request during an outage goes on without its session and touches no cookie", async () => {
    const { browser, sid } = await loginOld();
    const app = await tesseraApp({}, { storeTimeoutMs: 300, storeOutage: "anonymous" });
    const user = browserWith(app.url, browser.jar);
    redis.pause();
    let res;
    try {
      res = await user.get("/me");
    } finally {
      redis.resume();
    }
    assert.equal(res.status, 200);
    assertData(res.body, {});
    assert.deepEqual(res.setCookies, []);
    assert.equal(await io.exists(`sess:${sid}`), 1);
    assertData((await user.get("/me")).body, { user: USER, cart: ["book", "pen"] });
    await io.del(...(await tesseraSessionKeys(io)));
  });

  it("when Tessera's own Redis is down, the create fails, and the old record keeps its whole lifetime", async () => {
    const { browser, sid } = await loginOld();
    const tesseraRedis = await startRedisServer();
    const tesseraClient = new Redis(tesseraRedis.url);
    try {
      const app = await startTesseraApp("express", tesseraClient, fromExpressSession(migrateOptions()), { storeTimeoutMs: 300 });
      apps.push(app);
      const user = browserWith(app.url, browser.jar);
      const ttlBefore = await io.pttl(`sess:${sid}`);
      tesseraRedis.pause();
      let res;
      try {
        res = await user.get("/me");
      } finally {
        tesseraRedis.resume();
      }
      assert.equal(res.status, 503);
      assert.ok(user.jar.has("connect.sid"));
      // The claim (sent with the create, to the old records' Redis, which is up) was undone.
      const ttlAfter = await io.pttl(`sess:${sid}`);
      assert.ok(ttlAfter > 60_000 && ttlAfter <= ttlBefore, `TTL ${ttlBefore} -> ${ttlAfter}`);
      const retry = await user.get("/me");
      assertData(retry.body, { user: USER, cart: ["book", "pen"] });
      assert.equal((await tesseraClient.keys("t:s:*")).length, 1);
    } finally {
      tesseraClient.disconnect();
      await tesseraRedis.close();
    }
  });

  it("a Redis outage fails the migrating request (503) and loses nothing; the next request migrates", async () => {
    const { browser, sid } = await loginOld();
    const app = await tesseraApp({}, { storeTimeoutMs: 300 });
    const user = browserWith(app.url, browser.jar);
    redis.pause();
    let res;
    try {
      res = await user.get("/me");
    } finally {
      redis.resume();
    }
    assert.equal(res.status, 503);
    assert.ok(user.jar.has("connect.sid"), "the old cookie is kept");
    assert.equal(await io.exists(`sess:${sid}`), 1, "the old record is kept");
    const retry = await user.get("/me");
    assertData(retry.body, { user: USER, cart: ["book", "pen"] });
    await io.del(...(await tesseraSessionKeys(io)));
  });
});
