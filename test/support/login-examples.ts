/**
 * What the login-example tests share: each framework's example served on a
 * loopback port (in this process with a manager the test makes, or as the
 * demo runs it, in its own process from its production build), and the
 * checks every example passes the same way: the form login, forged logins
 * refused, the JSON API, the 503 page while Redis hangs, a build reused.
 */
import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { after, before } from "node:test";
import { createAdaptorServer } from "@hono/node-server";
import type { SessionData, SessionManager } from "tessera-session";
import { listenOnLoopback, type ServedApp } from "tessera-session/testing";
import { createLoginHandler as astroLogin } from "../../examples/astro-login/app.js";
import { FRAMEWORKS } from "../../examples/demo/frameworks.js";
import { startInstance, type RunningInstance } from "../../examples/demo/instances.js";
import { createLoginApp as expressLogin } from "../../examples/express-login/app.js";
import { createLoginApp as fastifyLogin } from "../../examples/fastify-login/app.js";
import { createLoginApp as honoLogin } from "../../examples/hono-login/app.js";
import { createLoginApp as koaLogin } from "../../examples/koa-login/app.js";
import { createLoginHandler as nodeLogin } from "../../examples/node-login/app.js";
import { createLoginHandler as sveltekitLogin } from "../../examples/sveltekit-login/app.js";
import { CookieClient, formCsrfToken } from "./http.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { waitFor } from "./wait-for.js";

/** Serves one framework's login example for a manager the test made. */
export type StartLoginApp = (options: { sessions: SessionManager<SessionData>; instance: string }) => Promise<ServedApp>;

/**
 * The examples a test serves in its own process with its own manager: the
 * five Node-style ones, and SvelteKit and Astro from their production build
 * (built first when its sources changed), as the demo runs them.
 */
export const IN_PROCESS_LOGIN_APPS: Readonly<Record<string, StartLoginApp>> = {
  express: async (options) => listenOnLoopback(createServer(expressLogin(options))),
  fastify: async (options) => {
    const app = await fastifyLogin(options);
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    return { url, close: () => app.close() };
  },
  koa: async (options) => listenOnLoopback(createServer(koaLogin(options).callback())),
  hono: async (options) => listenOnLoopback(createAdaptorServer({ fetch: honoLogin(options).fetch }) as Server),
  node: async (options) => listenOnLoopback(createServer(nodeLogin(options))),
  sveltekit: async (options) => listenOnLoopback(createServer(await sveltekitLogin(options))),
  astro: async (options) => listenOnLoopback(createServer(await astroLogin(options))),
};

/**
 * The examples whose build makes its own manager from the environment
 * (examples/shared/env-login-options.ts, examples/next-login/lib/login.ts):
 * a test runs them as the demo does, in their own process.
 */
export const OWN_PROCESS_FRAMEWORKS = ["next", "nuxt", "react-router"] as const;

/**
 * Starts one instance of a framework's example as the demo does (building
 * its production build first, for a full-stack framework) against
 * `redisUrl`, and resolves once it reaches Redis: "ready" means listening,
 * and its client may connect a moment later (until then, the 503 page).
 * Asking for the login form stores an anonymous session.
 *
 * @example
 * ```ts
 * const app = await startExampleInstance("nuxt", "nuxt-a", redis.url);
 * ```
 */
export async function startExampleInstance(framework: string, name: string, redisUrl: string): Promise<RunningInstance> {
  const entry = FRAMEWORKS[framework];
  if (entry === undefined) throw new Error(`no login example for ${framework}`);
  await entry.build?.(); // a first run builds the app; later runs reuse the build
  const instance = await startInstance({ name, script: entry.script, stdio: "ignore", readyTimeoutMs: entry.readyTimeoutMs, env: { REDIS_URL: redisUrl } });
  try {
    await waitFor(`${framework} reaching Redis`, async () => ((await fetch(new URL("/login", instance.url))).status === 200 ? true : undefined));
  } catch (error) {
    await instance.stop();
    throw error;
  }
  return instance;
}

/** A built example and its own redis-server, for one describe's tests. */
export interface BuiltExample {
  readonly app: RunningInstance;
  readonly redis: RedisServer;
}

/**
 * Registers the describe's before and after: a redis-server of its own and
 * one instance of the framework's example ({@link startExampleInstance}).
 *
 * @example
 * ```ts
 * describe("nuxt login example", () => {
 *   const example = builtExample("nuxt", "nuxt-a");
 *   it("logs in", () => checkFormLogin(example.app.url, { instance: example.app.instance }));
 * });
 * ```
 */
export function builtExample(framework: string, name: string): BuiltExample {
  let redis: RedisServer | undefined;
  let app: RunningInstance | undefined;
  before(async () => {
    redis = await startRedisServer();
    app = await startExampleInstance(framework, name, redis.url);
  });
  after(async () => {
    await app?.stop();
    await redis?.close();
  });
  return {
    get app() {
      return app!;
    },
    get redis() {
      return redis!;
    },
  };
}

/**
 * X-Served-By as the instance meant it. The name carries a "·", outside
 * ASCII: Express, Fastify, Koa and a web `Headers` object send it as one
 * Latin-1 byte, node:http's setHeader (Hono, node:http, Next's server.ts,
 * Nitro) as its two UTF-8 bytes, which fetch reads as two Latin-1 characters.
 */
export function servedBy(response: { headers: Headers }): string | undefined {
  const raw = response.headers.get("x-served-by");
  if (raw === null) return undefined;
  const utf8 = Buffer.from(raw, "latin1").toString("utf8");
  return utf8.includes("\uFFFD") ? raw : utf8;
}

/** The text of the page's element with this id (up to its first tag). */
export const pageText = (html: string, id: string): string | undefined => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];

/** What {@link checkFormLogin} expects of an example. */
export interface FormLoginExpectations {
  /** The name its pages show as "Served by". */
  instance: string;
  /** The framework its pages name beside the instance, when checked. */
  framework?: string;
  /** Whether responses carry X-Served-By (the demo's servers set it; an app served by a test need not). */
  servedBy?: boolean;
  /** What a GET /logout may answer (never a logout). Default 404. */
  getLogoutStatuses?: readonly number[];
}

/**
 * The form login every example does alike: the anonymous page naming its
 * instance, a blank name refused, the login (a redirect home), the greeting
 * HTML-escaped, the visit counter, the login's one-time flash (on the first
 * page after the redirect, gone on the reload), the form redirecting a logged-in user,
 * no GET logout, a logout without the CSRF token refused, the logout.
 */
export async function checkFormLogin(url: string, expected: FormLoginExpectations): Promise<void> {
  const browser = new CookieClient(url);
  const anonymous = await browser.get("/");
  assert.equal(anonymous.status, 200);
  assert.match(anonymous.body, /You are not logged in/);
  assert.equal(pageText(anonymous.body, "instance"), expected.instance);
  if (expected.framework !== undefined) assert.equal(pageText(anonymous.body, "framework"), expected.framework, "the page names the framework");
  if (expected.servedBy) assert.equal(servedBy(anonymous), expected.instance);

  const form = await browser.get("/login");
  assert.match(form.body, /<form method="post" action="\/login">/);
  const rejected = await browser.post("/login", { username: "   ", _csrf: formCsrfToken(form.body) });
  assert.equal(rejected.status, 400);
  assert.match(rejected.body, /Please enter a username/);

  const login = await browser.post("/login", { username: "ada <script>", _csrf: formCsrfToken(rejected.body) });
  assert.equal(login.status, 303);
  assert.equal(login.headers.get("location"), "/");
  if (expected.servedBy) assert.equal(servedBy(login), expected.instance);
  const first = await browser.get("/");
  assert.match(first.body, /Logged in as <strong>ada &#60;script&#62;<\/strong>/, "greets, HTML-escaped");
  const second = await browser.get("/");
  assert.equal(Number(pageText(second.body, "visits")), Number(pageText(first.body, "visits")) + 1);
  assert.match(first.body, /<p class="flash" id="flash" role="status">Welcome back, ada &#60;script&#62;<\/p>/, "a one-time flash after the login's redirect");
  assert.doesNotMatch(second.body, /class="flash"/, "gone on the next reload");
  assert.equal((await browser.get("/login")).status, 303, "the form redirects a logged-in user home");

  const getLogout = (await browser.get("/logout")).status;
  assert.ok((expected.getLogoutStatuses ?? [404]).includes(getLogout), `a GET never logs out: another site's link or image could fire it (got ${getLogout})`);
  const loggedIn = await browser.get("/");
  assert.match(loggedIn.body, /Logged in as/);
  const refused = await browser.post("/logout", {});
  assert.equal(refused.status, 403, "a logout without this session's CSRF token is refused");
  assert.match(refused.body, /This form is out of date/);
  assert.match((await browser.get("/")).body, /Logged in as/);
  const logout = await browser.post("/logout", { _csrf: formCsrfToken(loggedIn.body) });
  assert.equal(logout.status, 303);
  assert.match((await browser.get("/")).body, /You are not logged in/);
}

/**
 * A login form posted without its CSRF token, with a forged one, or from
 * another site: 403 with the "out of date" page, no one logged in, and the
 * form's own token still working afterwards.
 */
export async function checkForgedLoginsRefused(url: string): Promise<void> {
  const browser = new CookieClient(url);
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
}

/**
 * The JSON API for header-token clients: `POST /api/login` (JSON or a form)
 * answers a token and no cookie, `GET /api/me` reads the Bearer token and
 * refuses a missing, junk, foreign-scheme or tampered one with a JSON 401,
 * `POST /api/logout` ends that session only; every answer names `instance`.
 */
export async function checkApiTokens(url: string, instance: string): Promise<void> {
  const api = (method: string, path: string, headers: Record<string, string> = {}, body?: string) => fetch(new URL(path, url), { method, headers, body, redirect: "manual" });
  const served = (response: Response) => assert.equal(servedBy(response), instance, "names its instance");
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
}

/**
 * While Redis hangs, a logged-in page answers the 503 "your session is
 * safe" page (Retry-After: 2), never a logout; afterwards the user is
 * still logged in. `instance`: the X-Served-By the 503 carries, when checked.
 */
export async function checkStoreOutage(url: string, redis: RedisServer, instance?: string): Promise<void> {
  const browser = new CookieClient(url);
  const form = await browser.get("/login");
  assert.equal((await browser.post("/login", { username: "grace", _csrf: formCsrfToken(form.body) })).status, 303);
  redis.pause();
  try {
    const down = await browser.get("/", { signal: AbortSignal.timeout(15_000) });
    assert.equal(down.status, 503);
    assert.equal(down.headers.get("retry-after"), "2");
    assert.match(down.body, /Your session is safe/);
    assert.doesNotMatch(down.body, /You are not logged in/);
    if (instance !== undefined) assert.equal(servedBy(down), instance);
  } finally {
    redis.resume();
  }
  assert.match((await browser.get("/")).body, /Logged in as <strong>grace<\/strong>/);
}

/**
 * A second instance of a built example starts without building again: its
 * build's stamp (examples/shared/framework-build.ts) is not rewritten.
 */
export async function checkBuildReused(framework: string, stampFile: string, redisUrl: string): Promise<void> {
  const stampBefore = (await stat(stampFile)).mtimeMs;
  const again = await startInstance({ script: FRAMEWORKS[framework]!.script, name: `${framework}-b`, env: { REDIS_URL: redisUrl }, stdio: "ignore", readyTimeoutMs: 60_000 });
  try {
    assert.equal((await fetch(new URL("/healthz", again.url))).status, 200);
    assert.equal((await stat(stampFile)).mtimeMs, stampBefore, "the build's stamp was not rewritten: no second build");
  } finally {
    await again.stop();
  }
}
