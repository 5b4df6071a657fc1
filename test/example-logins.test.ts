/**
 * The Flask login example rebuilt on every framework: the same routes and
 * pages on Express, Fastify, Koa, Hono, node:http, SvelteKit and Astro (login form, greeting,
 * visit counter, logout, the serving instance on every page, and a 503 page,
 * not a silent logout, while Redis hangs), each checked the same way against
 * a real redis-server.
 */
import assert from "node:assert/strict";
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
import { createLoginHandler as astroLogin } from "../examples/astro-login/app.js";
import { createLoginHandler as sveltekitLogin } from "../examples/sveltekit-login/app.js";
import { DEMO_TRANSPORTS } from "../examples/shared/api.js";
import { CookieClient, formCsrfToken } from "./support/http.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

type Start = (options: { sessions: SessionManager<SessionData>; instance: string }) => Promise<ServedApp>;

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
  // The production build (built first when its sources changed), as the demo runs it.
  sveltekit: async (options) => listenOnLoopback(createServer(await sveltekitLogin(options))),
  astro: async (options) => listenOnLoopback(createServer(await astroLogin(options))),
};

/** The Node-style examples, which show the login's one-time flash (the full-stack ones take it up separately). */
const SHOWS_FLASH = new Set(["express", "fastify", "koa", "hono", "node"]);

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

const text = (html: string, id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];

for (const [framework, start] of Object.entries(frameworks)) {
  describe(`${framework} login example`, () => {
    let app: ServedApp;
    before(async () => {
      const sessions = createSessionManager({
        store: redisStore({ client, prefix: `example-${framework}:` }),
        storeTimeoutMs: 300,
        transport: DEMO_TRANSPORTS, // as the demo runs them: the /api routes take Bearer tokens
      });
      app = await start({ sessions, instance: `${framework}-a` });
    });
    after(() => app.close());

    it("logs in through the form, greets the user with a visit counter, and logs out", async () => {
      const browser = new CookieClient(app.url);
      const anonymous = await browser.get("/");
      assert.equal(anonymous.status, 200);
      assert.match(anonymous.body, /You are not logged in/);
      assert.equal(text(anonymous.body, "instance"), `${framework}-a`);

      const form = await browser.get("/login");
      assert.match(form.body, /<form method="post" action="\/login">/);
      const rejected = await browser.post("/login", { username: "   ", _csrf: formCsrfToken(form.body) });
      assert.equal(rejected.status, 400);
      assert.match(rejected.body, /Please enter a username/);

      const login = await browser.post("/login", { username: "ada <script>", _csrf: formCsrfToken(rejected.body) });
      assert.equal(login.status, 303);
      assert.equal(login.headers.get("location"), "/");
      const first = await browser.get("/");
      assert.match(first.body, /Logged in as <strong>ada &#60;script&#62;<\/strong>/, "greets, HTML-escaped");
      const second = await browser.get("/");
      assert.equal(Number(text(second.body, "visits")), Number(text(first.body, "visits")) + 1);
      if (SHOWS_FLASH.has(framework)) {
        assert.match(first.body, /<p class="flash" id="flash" role="status">Welcome back, ada &#60;script&#62;<\/p>/, "a one-time flash after the login's redirect");
        assert.doesNotMatch(second.body, /class="flash"/, "gone on the next reload");
      }
      assert.equal((await browser.get("/login")).status, 303, "the form redirects a logged-in user home");

      assert.equal((await browser.get("/logout")).status, 404, "a GET never logs out: another site's link or image could fire it");
      const loggedIn = await browser.get("/");
      assert.match(loggedIn.body, /Logged in as/);
      assert.equal((await browser.post("/logout", {})).status, 403, "a logout without this session's CSRF token is refused");
      assert.match((await browser.get("/")).body, /Logged in as/);
      const logout = await browser.post("/logout", { _csrf: formCsrfToken(loggedIn.body) });
      assert.equal(logout.status, 303);
      assert.match((await browser.get("/")).body, /You are not logged in/);
    });

    it("refuses a login form posted without its CSRF token or from another site (403), logging no one in", async () => {
      const browser = new CookieClient(app.url);
      const token = formCsrfToken((await browser.get("/login")).body);
      const forged: Array<[Record<string, string>, Record<string, string>]> = [
        [{ username: "mallory" }, {}],
        [{ username: "mallory", _csrf: "x".repeat(token.length) }, {}],
        [{ username: "mallory", _csrf: token }, { "sec-fetch-site": "cross-site" }],
        [{ username: "mallory", _csrf: token }, { origin: "https://evil.example" }],
      ];
      for (const [form, headers] of forged) {
        const response = await browser.request("/login", {
          method: "POST",
          body: new URLSearchParams(form).toString(),
          headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        });
        assert.equal(response.status, 403, JSON.stringify({ form, headers }));
        assert.match(response.body, /This form is out of date/);
      }
      assert.match((await browser.get("/")).body, /You are not logged in/);
      // The form's own token still works: the refusals changed nothing.
      assert.equal((await browser.post("/login", { username: "ada", _csrf: token })).status, 303);
    });

    it("the JSON API: POST /api/login answers a token and no cookie, GET /api/me reads the Bearer token, POST /api/logout ends it", async () => {
      const api = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
        fetch(new URL(path, app.url), { method, headers, body, redirect: "manual" });
      const served = (response: Response) => assert.equal(response.headers.get("x-served-by"), `${framework}-a`, "names its instance");
      const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

      const tokens: string[] = [];
      for (const [contentType, body] of [["application/json", JSON.stringify({ username: "api-ada" })], ["application/x-www-form-urlencoded", "username=api-ada"]]) {
        const login = await api("POST", "/api/login", { "content-type": contentType! }, body);
        assert.equal(login.status, 200, `${contentType}: ${await login.clone().text()}`);
        served(login);
        assert.deepEqual(login.headers.getSetCookie(), [], "no cookie");
        const { token } = (await login.json()) as { token: string };
        assert.equal(typeof token, "string");
        tokens.push(token);
      }
      assert.notEqual(tokens[0], tokens[1], "each login is its own session");

      const me = await api("GET", "/api/me", bearer(tokens[0]!));
      assert.equal(me.status, 200);
      served(me);
      assert.deepEqual(await me.json(), { username: "api-ada" });
      assert.deepEqual(me.headers.getSetCookie(), []);

      // Tampered: the signature's last character changed (to another canonical one, so the shape still passes).
      const tampered = `${tokens[0]!.slice(0, -1)}${tokens[0]!.endsWith("A") ? "E" : "A"}`;
      for (const headers of [{}, bearer("junk"), { authorization: "Basic YWRhOnB3" }, bearer(tampered)]) {
        const refused = await api("GET", "/api/me", headers);
        assert.equal(refused.status, 401, JSON.stringify(headers));
        served(refused);
        assert.equal(typeof ((await refused.json()) as { error?: unknown }).error, "string", "a JSON error");
      }
      const empty = await api("POST", "/api/login", { "content-type": "application/json" }, JSON.stringify({ username: " " }));
      assert.equal(empty.status, 400);
      served(empty);

      const logout = await api("POST", "/api/logout", bearer(tokens[0]!));
      assert.ok(logout.status === 204 || logout.status === 200, String(logout.status));
      served(logout);
      assert.equal((await api("GET", "/api/me", bearer(tokens[0]!))).status, 401, "the token is dead");
      assert.equal((await api("GET", "/api/me", bearer(tokens[1]!))).status, 200, "the other session lives on");
    });

    it("the API login refuses a request carrying the browser's cookie, and a browser's cookie session is untouched by the API", async () => {
      const browser = new CookieClient(app.url);
      await browser.post("/login", { username: "grace", _csrf: formCsrfToken((await browser.get("/login")).body) });
      const refused = await browser.request("/api/login", { method: "POST", body: JSON.stringify({ username: "mallory" }), headers: { "content-type": "application/json" } });
      assert.equal(refused.status, 400, refused.body);
      assert.match((await browser.get("/")).body, /Logged in as <strong>grace<\/strong>/, "the browser's session is untouched");
      const logout = await browser.request("/api/logout", { method: "POST", headers: { "sec-fetch-site": "cross-site" } });
      assert.equal(logout.status, 403, "a cookie request to the API stays CSRF-checked");
      assert.match((await browser.get("/")).body, /Logged in as <strong>grace<\/strong>/);
    });

    it("answers 503 while Redis hangs instead of logging the user out, then carries on", async () => {
      const browser = new CookieClient(app.url);
      await browser.post("/login", { username: "grace", _csrf: formCsrfToken((await browser.get("/login")).body) });
      redis.pause();
      try {
        const response = await browser.get("/", { signal: AbortSignal.timeout(10_000) });
        assert.equal(response.status, 503);
        assert.equal(response.headers.get("retry-after"), "2");
        assert.match(response.body, /Your session is safe/);
      } finally {
        redis.resume();
      }
      assert.match((await browser.get("/")).body, /Logged in as <strong>grace<\/strong>/);
    });
  });
}
