/**
 * The Next.js login example as a production build (`next build`, reused
 * when its sources did not change), served by examples/next-login/server.ts
 * in its own process against a real redis-server: the same login flow as
 * every framework's example, plus a server component that reads the
 * session and a server action whose commit reaches the browser with its
 * redirect, posted as a plain HTML form (no JavaScript).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startInstance, type RunningInstance } from "../examples/demo/instances.js";
import { NEXT_LOGIN_SERVER } from "../examples/demo/frameworks.js";
import { CookieClient, formCsrfToken } from "./support/http.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

/**
 * The X-Served-By header as the server meant it: Node writes a response's
 * head together with its first body chunk, in the body's encoding (UTF-8),
 * and fetch reads header bytes as Latin-1, so the name's "·" arrives as two.
 */
const servedBy = (headers: Headers) => Buffer.from(headers.get("x-served-by") ?? "", "latin1").toString("utf8");
const text = (html: string, id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];

describe("Next.js login example (production build)", () => {
  let redis: RedisServer;
  let app: RunningInstance;
  before(async () => {
    redis = await startRedisServer();
    // A first start builds the app (minutes on a busy 2-core machine); later ones reuse the build.
    app = await startInstance({ name: "next-a", script: NEXT_LOGIN_SERVER, stdio: "ignore", readyTimeoutMs: 240_000, env: { REDIS_URL: redis.url } });
  });
  after(async () => {
    await app?.stop();
    await redis?.close();
  });

  it("logs in through the form, greets the user with a visit counter, and logs out", async () => {
    const browser = new CookieClient(app.url);
    const anonymous = await browser.get("/");
    assert.equal(anonymous.status, 200);
    assert.match(anonymous.body, /You are not logged in/);
    assert.equal(text(anonymous.body, "instance"), app.instance);
    assert.equal(text(anonymous.body, "framework"), "Next.js");
    assert.equal(servedBy(anonymous.headers), app.instance);

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
    assert.equal((await browser.get("/login")).status, 303, "the form redirects a logged-in user home");

    assert.equal((await browser.get("/logout")).status, 404, "a GET never logs out");
    const loggedIn = await browser.get("/");
    assert.equal((await browser.post("/logout", {})).status, 403, "a logout without this session's CSRF token is refused");
    assert.match((await browser.get("/")).body, /Logged in as/);
    const logout = await browser.post("/logout", { _csrf: formCsrfToken(loggedIn.body) });
    assert.equal(logout.status, 303);
    assert.match((await browser.get("/")).body, /You are not logged in/);
  });

  it("refuses a login form posted without its CSRF token or from another site (403), logging no one in", async () => {
    const browser = new CookieClient(app.url);
    const token = formCsrfToken((await browser.get("/login")).body);
    for (const [form, headers] of [
      [{ username: "mallory" }, {}],
      [{ username: "mallory", _csrf: token }, { "sec-fetch-site": "cross-site" }],
      [{ username: "mallory", _csrf: token }, { origin: "https://evil.example" }],
    ] as Array<[Record<string, string>, Record<string, string>]>) {
      const response = await browser.request("/login", {
        method: "POST",
        body: new URLSearchParams(form).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      });
      assert.equal(response.status, 403, JSON.stringify({ form, headers }));
      assert.match(response.body, /This form is out of date/);
    }
    assert.match((await browser.get("/")).body, /You are not logged in/);
    assert.equal((await browser.post("/login", { username: "ada", _csrf: token })).status, 303, "the form's own token still works");
  });

  it("a server component reads the session; a server action, posted as a plain form, commits before its redirect", async () => {
    const browser = new CookieClient(app.url);
    await browser.post("/login", { username: "grace", _csrf: formCsrfToken((await browser.get("/login")).body) });
    await browser.get("/");
    await browser.get("/");
    const account = await browser.get("/account");
    assert.equal(account.status, 200);
    assert.match(account.body, /Logged in as grace\./);
    assert.equal(text(account.body, "visits"), "2");
    assert.deepEqual(account.setCookies, [], "a server component sets no cookie");

    // The progressive-enhancement form: Next renders the action's id as hidden inputs.
    const hidden = [...account.body.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?/g)];
    assert.ok(hidden.length > 0, "the action form carries its hidden action id");
    const body = new FormData();
    for (const [, name, value] of hidden) body.append(name!, value ?? "");
    const posted = await browser.request("/account", { method: "POST", body, headers: { origin: app.url } });
    assert.equal(posted.status, 303, posted.body.slice(0, 200));
    assert.equal(posted.headers.get("location"), "/account");
    assert.equal(text((await browser.get("/account")).body, "visits"), "0", "the redirect's target sees the action's change");
    assert.match((await browser.get("/")).body, /Logged in as <strong>grace<\/strong>/);
  });

  it("the JSON API: a token and no cookie, the Bearer token read, logout ends it", async () => {
    const login = await fetch(new URL("/api/login", app.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "api-ada" }) });
    assert.equal(login.status, 200);
    assert.equal(servedBy(login.headers), app.instance);
    assert.deepEqual(login.headers.getSetCookie(), []);
    const { token } = (await login.json()) as { token: string };
    const me = await fetch(new URL("/api/me", app.url), { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(await me.json(), { username: "api-ada" });
    assert.equal((await fetch(new URL("/api/me", app.url), { headers: { authorization: "Bearer junk" } })).status, 401);
    const logout = await fetch(new URL("/api/logout", app.url), { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(logout.status, 204);
    assert.equal((await fetch(new URL("/api/me", app.url), { headers: { authorization: `Bearer ${token}` } })).status, 401);
  });

  it("answers 503 while Redis hangs instead of logging the user out, then carries on", async () => {
    const browser = new CookieClient(app.url);
    await browser.post("/login", { username: "grace", _csrf: formCsrfToken((await browser.get("/login")).body) });
    redis.pause();
    try {
      const response = await browser.get("/", { signal: AbortSignal.timeout(15_000) });
      assert.equal(response.status, 503);
      assert.equal(response.headers.get("retry-after"), "2");
      assert.match(response.body, /Your session is safe/);
    } finally {
      redis.resume();
    }
    assert.match((await browser.get("/")).body, /Logged in as <strong>grace<\/strong>/);
  });
});
