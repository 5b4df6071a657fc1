/**
 * The login examples' "Keep me signed in" checkbox (field `remember`) on
 * every framework, against a real redis-server (the five Node-style
 * examples and the SvelteKit and Astro builds in this process, given a
 * manager; the Next.js, Nuxt and React Router builds as the demo runs
 * them, in their own process with their own manager): with it, the session
 * and its cookie last 30 days of inactivity (a persistent cookie, the
 * record's TTL to match); without it, the manager's defaults hold. And on
 * every adapter, a login counts as a fresh authentication for step-up.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createSessionManager, type SessionData } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import type { ServedApp } from "tessera-session/testing";
import { REMEMBER_ME_LIMITS } from "../examples/shared/login-app.js";
import { cookieAttributes, CookieClient, formCsrfToken } from "./support/http.js";
import { IN_PROCESS_LOGIN_APPS, OWN_PROCESS_FRAMEWORKS, startExampleInstance } from "./support/login-examples.js";
import { redisFileRig } from "./support/redis-file-rig.js";

const DAY = 24 * 3600;

/** Where the managers the own-process builds make (OWN_PROCESS_FRAMEWORKS) keep sessions. */
const DEMO_PREFIX = "tessera-demo:";

const rig = redisFileRig();
let ioredis: Promise<Redis> | undefined;
/** The file's one ioredis client, connected at first use (after the rig's server started). */
const client = (): Promise<Redis> => (ioredis ??= rig.clients.ioredis() as Promise<Redis>);

/** The record's key for a cookie value (token -> SHA-256 -> 96 bits). */
const keyOf = (prefix: string, cookie: string) =>
  `${prefix}s:${createHash("sha256").update(cookie.split(".")[0]!).digest().subarray(0, 12).toString("base64url")}`;

/** A login example on a loopback port, its sessions under `prefix` in the test's redis-server. */
type Served = { app: ServedApp; prefix: string };

function rememberSuite(framework: string, serve: () => Promise<Served>): void {
  describe(`${framework} login example: Keep me signed in`, () => {
    let app: ServedApp;
    let prefix: string;
    before(async () => {
      ({ app, prefix } = await serve());
    });
    after(() => app?.close());

    async function logIn(remember: boolean) {
      const browser = new CookieClient(app.url);
      const form = await browser.get("/login");
      assert.match(form.body, /<input type="checkbox" name="remember" value="on"> Keep me signed in/);
      const fields: Record<string, string> = { username: "ada", _csrf: formCsrfToken(form.body) };
      if (remember) fields.remember = "on";
      const login = await browser.post("/login", fields);
      assert.equal(login.status, 303);
      const line = login.setCookies.find((l) => l.startsWith("tessera="))!;
      return { browser, attributes: cookieAttributes(line), ttl: Number(await (await client()).pttl(keyOf(prefix, browser.jar.get("tessera")!))) };
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

for (const [framework, start] of Object.entries(IN_PROCESS_LOGIN_APPS)) {
  rememberSuite(framework, async () => {
    const prefix = `remember-${framework}:`;
    const sessions = createSessionManager<SessionData>({ store: redisStore({ client: await client(), prefix }), idleTimeoutSeconds: 1800, absoluteTimeoutSeconds: 7 * DAY, ...REMEMBER_ME_LIMITS });
    return { app: await start({ sessions, instance: `${framework}-a` }), prefix };
  });
}

for (const framework of OWN_PROCESS_FRAMEWORKS) {
  rememberSuite(framework, async () => {
    const instance = await startExampleInstance(framework, `${framework}-a`, rig.redis.url);
    return { app: { url: instance.url, close: () => instance.stop() }, prefix: DEMO_PREFIX };
  });
}
