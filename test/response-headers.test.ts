/**
 * One list of response headers (issue 12): `manager.commitResponse` hands
 * every adapter all a response must carry (the session's Set-Cookie, a
 * migrated library's clearing cookies, a header client's token headers),
 * and every adapter emits it, on a success and on its error page. Proven
 * with the real koa-session migration source on a private redis-server and
 * the five adapters on real servers.
 */
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createSessionManager, tokenResponseHeaders } from "tessera-session";
import { fromKoaSession } from "tessera-session/migrate";
import { nodeSession } from "tessera-session/node";
import { redisStore } from "tessera-session/redis";
import { listenOnLoopback } from "tessera-session/testing";
import { CookieClient } from "./support/http.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { assertData, clears, FRAMEWORKS, startTesseraApp, TESSERA_PREFIX, TESSERA_SECRET, tesseraCookie, type TesseraApp } from "./support/migrate-rig.js";

const APP_KEYS = ["current koa key"];
const USER = { id: 7, name: "lovelace" };

let redis: RedisServer;
let io: Redis;

before(async () => {
  redis = await startRedisServer();
  io = new Redis(redis.url);
});

after(async () => {
  io.disconnect();
  await redis.close();
});

const migrate = () => fromKoaSession({ client: io, prefix: "", secret: APP_KEYS, cookieName: "koa.sess" });

/** keygrip's signature of `data` under `key` (SHA-1, URL-safe base64 without padding). */
function keygrip(data: string, key: string): string {
  return createHmac("sha1", key).update(data).digest("base64").replace(/\/|\+|=/g, (c) => ({ "/": "_", "+": "-", "=": "" })[c]!);
}

/** A fresh koa-session record in Redis, and the Cookie header of the browser holding it. */
async function oldSession(): Promise<string> {
  const key = `ksess:${randomBytes(8).toString("hex")}`;
  await io.set(key, JSON.stringify({ user: USER, _expire: Date.now() + 60_000, _maxAge: 60_000 }), "EX", 60);
  return `koa.sess=${key}; koa.sess.sig=${keygrip(`koa.sess=${key}`, APP_KEYS[0]!)}`;
}

function assertOldCookiesCleared(setCookies: readonly string[]): void {
  assert.ok(clears(setCookies, "koa.sess"), `koa.sess cleared: ${setCookies.join(" | ")}`);
  assert.ok(clears(setCookies, "koa.sess.sig"), `koa.sess.sig cleared: ${setCookies.join(" | ")}`);
}

describe("the manager's one list of response headers", () => {
  it("commitResponse: a migrated session's cookie first, then the old library's clearing cookies; commit() is the cookie alone", async () => {
    const manager = createSessionManager({ store: redisStore({ client: io, prefix: TESSERA_PREFIX }), secrets: [TESSERA_SECRET], migrate: migrate() });
    const cookieHeader = await oldSession();
    const session = await manager.load({ cookieHeader, secure: false });
    assert.deepEqual({ ...session.data }, { user: USER });
    const pending = manager.pendingResponseHeaders(session);
    const headers = await manager.commitResponse(session);
    assert.deepEqual(pending, headers, "nothing changed between the pending list and the commit's");
    assert.deepEqual(
      headers.map(([name]) => name),
      ["set-cookie", "set-cookie", "set-cookie"],
    );
    const setCookies = headers.map(([, value]) => value);
    assert.ok(tesseraCookie(setCookies), "Tessera's cookie");
    assert.equal(setCookies[0], await manager.commit(session), "commit() returns the same Set-Cookie, and only it");
    assertOldCookiesCleared(setCookies.slice(1));
  });

  it("a migrated session made a header client: the clearing cookies and the token headers in one list, no Tessera cookie", async () => {
    const manager = createSessionManager({ store: redisStore({ client: io, prefix: TESSERA_PREFIX }), secrets: [TESSERA_SECRET], migrate: migrate(), transport: ["cookie", "bearer"] });
    const session = await manager.load({ cookieHeader: await oldSession(), secure: false });
    session.useHeaderToken();
    const headers = await manager.commitResponse(session);
    const setCookies = headers.filter(([name]) => name === "set-cookie").map(([, value]) => value);
    assert.equal(tesseraCookie(setCookies), undefined, "a header client gets no cookie");
    assertOldCookiesCleared(setCookies);
    const others = headers.filter(([name]) => name !== "set-cookie");
    assert.deepEqual(others, tokenResponseHeaders(session), "the deprecated alias is the list's token headers");
    assert.deepEqual(
      others.map(([name]) => name),
      ["tessera-session-token", "cache-control", "tessera-session-expires"],
    );
    assert.ok(Number.isFinite(Date.parse(new Map(others).get("tessera-session-expires")!)));
  });

  it("a streamed response (headers out before the commit) carries the pending list: clearing cookies and token headers", async () => {
    const manager = createSessionManager({ store: redisStore({ client: io, prefix: TESSERA_PREFIX }), secrets: [TESSERA_SECRET], migrate: migrate(), transport: ["cookie", "bearer"] });
    const tessera = nodeSession(manager);
    const served = await listenOnLoopback(
      http.createServer(
        tessera.handler((_req, res, session) => {
          session.useHeaderToken();
          res.write("first chunk, "); // the headers go out here, before the commit
          res.end("last chunk");
        }),
      ),
    );
    try {
      const res = await new CookieClient(served.url).get("/", { cookie: await oldSession() });
      assert.equal(res.body, "first chunk, last chunk");
      assertOldCookiesCleared(res.setCookies);
      assert.equal(tesseraCookie(res.setCookies), undefined);
      assert.ok(res.headers.get("tessera-session-token"));
      assert.ok(res.headers.get("tessera-session-expires"));
    } finally {
      await served.close();
    }
  });

  it("a session that needs nothing gets an empty list", async () => {
    const manager = createSessionManager({ store: redisStore({ client: io, prefix: TESSERA_PREFIX }), secrets: [TESSERA_SECRET], migrate: migrate() });
    const session = await manager.load({ secure: false });
    assert.deepEqual(await manager.commitResponse(session), []);
    assert.deepEqual(manager.pendingResponseHeaders(session), []);
  });
});

for (const framework of FRAMEWORKS) {
  describe(`every header of the list reaches the client: ${framework}`, () => {
    let app: TesseraApp;

    before(async () => {
      app = await startTesseraApp(framework, io, migrate(), { transport: ["cookie", "bearer"] });
    });

    after(() => app.close());

    it("a migrated session: Tessera's cookie and the old library's clearing cookies", async () => {
      const res = await new CookieClient(app.url).get("/me", { cookie: await oldSession() });
      assert.equal(res.status, 200);
      assertData(res.body, { user: USER });
      assert.ok(tesseraCookie(res.setCookies), "Tessera's cookie");
      assertOldCookiesCleared(res.setCookies);
    });

    it("a migrated session made a header client: the clearing cookies and the token headers together", async () => {
      const res = await new CookieClient(app.url).get("/header-client", { cookie: await oldSession() });
      assert.equal(res.status, 200);
      assert.equal(tesseraCookie(res.setCookies), undefined, "a header client gets no cookie");
      assertOldCookiesCleared(res.setCookies);
      const token = res.headers.get("tessera-session-token");
      assert.ok(token, "the token it was not handed");
      assert.match(res.headers.get("cache-control") ?? "", /no-store/);
      assert.ok(Number.isFinite(Date.parse(res.headers.get("tessera-session-expires") ?? "")), "its expiry");
      const me = await new CookieClient(app.url).get("/me", { headers: { authorization: `Bearer ${token}` } });
      assertData(me.body, { user: USER });
    });

    it("a route that fails after the migration: the error page still carries Tessera's cookie and the clearing cookies", async () => {
      const res = await new CookieClient(app.url).get("/boom", { cookie: await oldSession() });
      assert.equal(res.status, 500);
      assert.ok(tesseraCookie(res.setCookies), "the migrated session's own cookie (a failed response may renew the request's token)");
      assertOldCookiesCleared(res.setCookies);
    });
  });
}
