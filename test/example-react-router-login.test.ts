/**
 * The React Router login example as the demo runs it: its production build
 * (`react-router build`, reused while the sources are unchanged) started by
 * examples/react-router-login/server.ts on port 0, speaking the instance protocol,
 * against a real redis-server: the form login, the greeting, the
 * CSRF-checked logout, X-Served-By on every response, a 503 page while
 * Redis hangs.
 */
import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { startInstance, type RunningInstance } from "../examples/demo/instances.js";
import { CookieClient, formCsrfToken } from "./support/http.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

const SERVER = fileURLToPath(new URL("../examples/react-router-login/server.ts", import.meta.url));
const STAMP = fileURLToPath(new URL("../examples/react-router-login/build/tessera-inputs", import.meta.url));
/** A first start builds the app: the bound on being ready. */
const FIRST_START_MS = 4 * 60_000;

/**
 * X-Served-By as the server meant it: the instance name's "·" goes out as
 * UTF-8 from node:http's setHeader (which fetch reads as Latin-1) and as
 * the Latin-1 byte from a web Headers object.
 */
const servedBy = (response: { headers: Headers }): string => {
  const raw = response.headers.get("x-served-by") ?? "";
  const utf8 = Buffer.from(raw, "latin1").toString("utf8");
  return utf8.includes("\uFFFD") ? raw : utf8;
};
const text = (html: string, id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];

describe("react-router login example (production build)", () => {
  let redis: RedisServer;
  let app: RunningInstance;
  before(async () => {
    redis = await startRedisServer();
    app = await startInstance({ script: SERVER, name: "rr-a", env: { REDIS_URL: redis.url }, stdio: "ignore", readyTimeoutMs: FIRST_START_MS });
  });
  after(async () => {
    await app?.stop();
    await redis?.close();
  });

  it("logs in through the form, greets the user with a visit counter, and logs out with the CSRF token", async () => {
    const browser = new CookieClient(app.url);
    const anonymous = await browser.get("/");
    assert.equal(anonymous.status, 200);
    assert.match(anonymous.body, /You are not logged in/);
    assert.equal(text(anonymous.body, "instance"), app.instance);
    assert.equal(text(anonymous.body, "framework"), "React Router", "the page names the framework");
    assert.equal(servedBy(anonymous), app.instance);

    const form = await browser.get("/login");
    assert.match(form.body, /<form method="post" action="\/login">/);
    const rejected = await browser.post("/login", { username: "   ", _csrf: formCsrfToken(form.body) });
    assert.equal(rejected.status, 400);
    assert.match(rejected.body, /Please enter a username/);

    const login = await browser.post("/login", { username: "ada <script>", _csrf: formCsrfToken(rejected.body) });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get("location"), "/");
    assert.equal(servedBy(login), app.instance);
    const first = await browser.get("/");
    assert.match(first.body, /Logged in as <strong>ada &#60;script&#62;<\/strong>/, "greets, HTML-escaped");
    const second = await browser.get("/");
    assert.equal(Number(text(second.body, "visits")), Number(text(first.body, "visits")) + 1);
    assert.equal((await browser.get("/login")).status, 303, "the form redirects a logged-in user home");

    const getLogout = (await browser.get("/logout")).status;
    // React Router answers 400 for a GET on a route with an action and no loader.
    assert.ok([400, 404, 405].includes(getLogout), `a GET never logs out (got ${getLogout})`);
    const loggedIn = await browser.get("/");
    const refused = await browser.post("/logout", {});
    assert.equal(refused.status, 403, "a logout without this session's CSRF token is refused");
    assert.match(refused.body, /This form is out of date/);
    assert.match((await browser.get("/")).body, /Logged in as/);
    const logout = await browser.post("/logout", { _csrf: formCsrfToken(loggedIn.body) });
    assert.equal(logout.status, 303);
    assert.match((await browser.get("/")).body, /You are not logged in/);
  });

  it("the JSON API answers a Bearer token and no cookie", async () => {
    const login = await fetch(new URL("/api/login", app.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "api-ada" }) });
    assert.equal(login.status, 200);
    assert.deepEqual(login.headers.getSetCookie(), []);
    const { token } = (await login.json()) as { token: string };
    const me = await fetch(new URL("/api/me", app.url), { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(await me.json(), { username: "api-ada" });
    assert.equal((await fetch(new URL("/api/logout", app.url), { method: "POST", headers: { authorization: `Bearer ${token}` } })).status, 204);
    assert.equal((await fetch(new URL("/api/me", app.url), { headers: { authorization: `Bearer ${token}` } })).status, 401);
  });

  it("answers the 503 page, not a logout, while Redis hangs, and recovers", async () => {
    const browser = new CookieClient(app.url);
    const form = await browser.get("/login");
    assert.equal((await browser.post("/login", { username: "grace", _csrf: formCsrfToken(form.body) })).status, 303);
    redis.pause();
    try {
      const down = await browser.get("/");
      assert.equal(down.status, 503);
      assert.doesNotMatch(down.body, /You are not logged in/);
      assert.equal(servedBy(down), app.instance);
    } finally {
      redis.resume();
    }
    assert.match((await browser.get("/")).body, /Logged in as <strong>grace<\/strong>/);
  });

  it("a second start reuses the build: ready without building again", async () => {
    const stampBefore = (await stat(STAMP)).mtimeMs;
    const again = await startInstance({ script: SERVER, name: "rr-b", env: { REDIS_URL: redis.url }, stdio: "ignore", readyTimeoutMs: 60_000 });
    try {
      assert.equal((await fetch(new URL("/healthz", again.url))).status, 200);
      assert.equal((await stat(STAMP)).mtimeMs, stampBefore, "the build's stamp was not rewritten: no second build");
    } finally {
      await again.stop();
    }
  });
});
