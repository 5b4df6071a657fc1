/**
 * The login examples' "Keep me signed in" checkbox (field `remember`) on
 * all five frameworks, against a real redis-server: with it, the session
 * and its cookie last 30 days of inactivity (a persistent cookie, the
 * record's TTL to match); without it, the manager's defaults hold. And on
 * every adapter, a login counts as a fresh authentication for step-up.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { createAdaptorServer } from "@hono/node-server";
import { Redis } from "ioredis";
import { createSessionManager, type SessionData, type SessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { listenOnLoopback, type ServedApp } from "tessera-session/testing";
import { createLoginApp as expressLogin } from "../examples/express-login/app.js";
import { createLoginApp as fastifyLogin } from "../examples/fastify-login/app.js";
import { createLoginApp as honoLogin } from "../examples/hono-login/app.js";
import { createLoginApp as koaLogin } from "../examples/koa-login/app.js";
import { createLoginHandler as nodeLogin } from "../examples/node-login/app.js";
import { REMEMBER_ME_LIMITS } from "../examples/shared/login-app.js";
import { cookieAttributes, CookieClient, formCsrfToken } from "./support/http.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

type Start = (options: { sessions: SessionManager<SessionData>; instance: string }) => Promise<ServedApp>;
const DAY = 24 * 3600;

const frameworks: Record<string, Start> = {
  express: async (options) => listenOnLoopback(createServer(expressLogin(options))),
  fastify: async (options) => {
    const app = await fastifyLogin(options);
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    return { url, close: () => app.close() };
  },
  koa: async (options) => listenOnLoopback(createServer(koaLogin(options).callback())),
  hono: async (options) => listenOnLoopback(createAdaptorServer({ fetch: honoLogin(options).fetch }) as Server),
  node: async (options) => listenOnLoopback(createServer(nodeLogin(options))),
};

let redis: RedisServer;
let client: Redis;
before(async () => {
  redis = await startRedisServer();
  client = new Redis(redis.url);
});
after(async () => {
  client.disconnect();
  await redis.close();
});

/** The record's key for a cookie value (token -> SHA-256 -> 96 bits). */
const keyOf = (prefix: string, cookie: string) =>
  `${prefix}s:${createHash("sha256").update(cookie.split(".")[0]!).digest().subarray(0, 12).toString("base64url")}`;

for (const [framework, start] of Object.entries(frameworks)) {
  describe(`${framework} login example: Keep me signed in`, () => {
    const prefix = `remember-${framework}:`;
    let app: ServedApp;
    let sessions: SessionManager<SessionData>;
    before(async () => {
      sessions = createSessionManager({ store: redisStore({ client, prefix }), idleTimeoutSeconds: 1800, absoluteTimeoutSeconds: 7 * DAY, ...REMEMBER_ME_LIMITS });
      app = await start({ sessions, instance: `${framework}-a` });
    });
    after(() => app.close());

    async function logIn(remember: boolean) {
      const browser = new CookieClient(app.url);
      const form = await browser.get("/login");
      assert.match(form.body, /<input type="checkbox" name="remember" value="on"> Keep me signed in/);
      const fields: Record<string, string> = { username: "ada", _csrf: formCsrfToken(form.body) };
      if (remember) fields.remember = "on";
      const login = await browser.post("/login", fields);
      assert.equal(login.status, 303);
      const line = login.setCookies.find((l) => l.startsWith("tessera="))!;
      return { browser, attributes: cookieAttributes(line), ttl: Number(await client.pttl(keyOf(prefix, browser.jar.get("tessera")!))) };
    }

    it("with the box ticked: 30 days of inactivity, in a persistent cookie and in Redis", async () => {
      const { browser, attributes, ttl } = await logIn(true);
      assert.equal(attributes.get("max-age"), String(30 * DAY));
      assert.ok(ttl > 30 * DAY * 1000 - 60_000 && ttl <= 30 * DAY * 1000, `record TTL ${ttl} ms follows the cookie`);
      assert.match((await browser.get("/")).body, /Logged in as <strong>ada<\/strong>/);
    });

    it("without it: the manager's defaults", async () => {
      const { attributes, ttl } = await logIn(false);
      assert.equal(attributes.get("max-age"), "1800");
      assert.ok(ttl <= 1800_000, `record TTL ${ttl} ms`);
    });
  });
}
