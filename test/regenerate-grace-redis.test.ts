/**
 * A regenerate's grace window against a real redis-server, through
 * node:http, with both clients and real concurrency: requests that still
 * carry the old token while a login rotates it keep working read-only and
 * never clear the cookie; their writes are dropped, never resurrecting the
 * old token; after the window the old token is dead. The manager's clock is
 * a fake one (Redis's TTLs run on its own clock, so the window's end is
 * waited for). Without the window (the default), the same requests are
 * logged out: the failure the window exists for.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { describe, it } from "node:test";
import { createSessionManager, CREATED_AT_FIELD, RETIRED_FIELD, type SessionManagerOptions } from "tessera-session";
import { nodeSession } from "tessera-session/node";
import { redisStore, type RedisClient } from "tessera-session/redis";
import { fakeClock } from "tessera-session/testing";
import { CookieClient, listen, type TestResponse } from "./support/http.js";
import { redisFileRig } from "./support/redis-file-rig.js";

type Data = { user?: string; cart?: string[] };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const rig = redisFileRig();
const { servers, clients } = rig;

/** The app: /guest starts a session, /login rotates it, /me reads it, /cart writes to it. */
async function startApp(client: RedisClient, prefix: string, options: Partial<SessionManagerOptions>) {
  const manager = createSessionManager<Data>({ store: redisStore({ client, prefix }), clock: fakeClock(Date.now()), ...options });
  const tessera = nodeSession(manager);
  const server = createServer(
    tessera.handler(async (req, res, session) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname === "/guest") session.data.user = "guest";
      if (url.pathname === "/login") {
        await session.regenerate();
        session.data.user = "ada";
      }
      if (url.pathname === "/remember") session.setExpiry({ idleTimeoutSeconds: 30 * 24 * 3600, absoluteTimeoutSeconds: 90 * 24 * 3600, persistent: true });
      if (url.pathname === "/cart") session.data.cart = [...(session.data.cart ?? []), url.searchParams.get("item") ?? "?"];
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ user: session.data.user ?? null, cart: session.data.cart ?? [], readOnly: session.readOnly }));
    }),
  );
  servers.push(server);
  return new CookieClient(await listen(server));
}

/** The session hash's key for a cookie value (token -> SHA-256 -> 96 bits). */
function keyOf(prefix: string, cookie: string): string {
  const token = cookie.split(".")[0]!;
  return `${prefix}s:${createHash("sha256").update(token).digest().subarray(0, 12).toString("base64url")}`;
}

const cleared = (response: TestResponse) => response.setCookies.some((line) => /Max-Age=0/i.test(line));

for (const [clientName, connect] of Object.entries(clients)) {
  describe(`regenerate grace window over ${clientName}`, () => {
    it("keeps 30 concurrent old-token requests working during a login, read-only after it, and never clears the cookie", async () => {
      const prefix = `grace-${clientName}-a:`;
      const browser = await startApp(await connect(), prefix, { regenerateGraceSeconds: 30 });
      await browser.get("/guest");
      const old = browser.jar.get("tessera")!;
      const oldCookie = `tessera=${old}`;
      const inFlight = Array.from({ length: 30 }, (_, i) =>
        i % 3 === 0 ? browser.request(`/cart?item=during-${i}`, { method: "POST", cookie: oldCookie }) : browser.request("/me", { cookie: oldCookie }),
      );
      const [login, ...responses] = await Promise.all([browser.request("/login", { method: "POST", cookie: oldCookie }), ...inFlight]);
      assert.equal(login.status, 200);
      const fresh = login.setCookies.find((line) => line.startsWith("tessera="))!;
      assert.ok(fresh && !/Max-Age=0/i.test(fresh), "the login sets the new token");
      for (const response of responses) {
        assert.equal(response.status, 200, response.body);
        assert.equal(JSON.parse(response.body).user, "guest", "an old-token request sees the session as it was, never logged out");
        assert.equal(cleared(response), false, "no old-token response clears the cookie the browser now holds");
      }

      // After the login: the old record is a retired copy, read-only.
      const fields = await rig.redis.command("HGETALL", keyOf(prefix, old));
      assert.match(fields, new RegExp(RETIRED_FIELD));
      assert.doesNotMatch(fields, new RegExp(`${CREATED_AT_FIELD}\\r\\n`), "no longer a record");
      const late = await browser.request("/cart?item=after-login", { method: "POST", cookie: oldCookie });
      assert.deepEqual(JSON.parse(late.body).readOnly, true);
      assert.deepEqual(late.setCookies, [], "a read-only response sets no cookie at all");
      assert.doesNotMatch(await rig.redis.command("HGETALL", keyOf(prefix, old)), /after-login/, "its write was dropped");
      const me = await browser.request("/me", { cookie: `tessera=${fresh.slice("tessera=".length, fresh.indexOf(";"))}` });
      assert.equal(JSON.parse(me.body).user, "ada");
      assert.doesNotMatch(me.body, /after-login/, "nor did it reach the new session");
    });

    it("kills the old token when the window ends, and a write through it resurrects nothing", async () => {
      const prefix = `grace-${clientName}-b:`;
      const browser = await startApp(await connect(), prefix, { regenerateGraceSeconds: 1 });
      await browser.get("/guest");
      const old = browser.jar.get("tessera")!;
      await browser.request("/login", { method: "POST" });
      const current = `tessera=${browser.jar.get("tessera")!}`;
      await sleep(1300); // Redis ends the retired copy on its own clock
      const write = await browser.request("/cart?item=zombie", { method: "POST", cookie: `tessera=${old}` });
      assert.deepEqual(JSON.parse(write.body), { user: null, cart: ["zombie"], readOnly: false }, "the old token is anonymous now");
      assert.equal(await rig.redis.command("EXISTS", keyOf(prefix, old)), ":0\r\n", "the old record did not come back");
      assert.equal(JSON.parse((await browser.request("/me", { cookie: current })).body).user, "ada", "the new session is intact");
    });

    it("a remember-me session costs what any session costs: 1 command per read, 1 per changed write", async () => {
      const prefix = `grace-${clientName}-d:`;
      const browser = await startApp(await connect(), prefix, { maxIdleTimeoutSeconds: 30 * 24 * 3600, maxAbsoluteTimeoutSeconds: 90 * 24 * 3600 });
      await browser.get("/guest");
      await browser.request("/remember", { method: "POST" });
      await browser.get("/me"); // warm up: scripts loaded, expiry known
      const count = async (path: string, method = "GET") => (await rig.redis.countCommands(() => browser.request(path, { method }))).total;
      assert.equal(await count("/me"), 1, "a read");
      const { byCommand } = await rig.redis.countCommands(() => browser.get("/me"));
      assert.deepEqual(byCommand, { hgetall: 1 }, "a plain HGETALL, not the load script: the shortcut knows its own idle timeout");
      assert.equal(await count("/cart?item=x", "POST"), 2, "a write: the read and the update");
    });

    it("without a window (the default), an old-token request during a login is logged out", async () => {
      const prefix = `grace-${clientName}-c:`;
      const browser = await startApp(await connect(), prefix, {});
      await browser.get("/guest");
      const oldCookie = `tessera=${browser.jar.get("tessera")!}`;
      await browser.request("/login", { method: "POST", cookie: oldCookie });
      const straggler = await browser.request("/me", { cookie: oldCookie });
      assert.equal(JSON.parse(straggler.body).user, null);
      assert.equal(cleared(straggler), true, "its response clears the cookie: if it arrives last, the user is logged out");
      assert.equal(await rig.redis.command("EXISTS", keyOf(prefix, oldCookie.slice("tessera=".length))), ":0\r\n");
    });
  });
}
