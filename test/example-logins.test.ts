/**
 * The Flask login example rebuilt on every framework: the same routes and
 * pages on Express, Fastify, Koa, Hono, node:http, SvelteKit and Astro (login form, greeting,
 * visit counter, logout, the serving instance on every page, and a 503 page,
 * not a silent logout, while Redis hangs), each checked the same way against
 * a real redis-server (the checks in test/support/login-examples.ts, which
 * the Next.js, Nuxt and React Router examples' tests share).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createSessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import type { ServedApp } from "tessera-session/testing";
import { DEMO_TRANSPORTS } from "../examples/shared/api.js";
import { CookieClient, formCsrfToken } from "./support/http.js";
import { checkApiTokens, checkForgedLoginsRefused, checkFormLogin, checkStoreOutage, IN_PROCESS_LOGIN_APPS } from "./support/login-examples.js";
import { redisFileRig } from "./support/redis-file-rig.js";

const rig = redisFileRig();
let ioredis: Promise<Redis> | undefined;
/** The file's one ioredis client, connected at first use (after the rig's server started). */
const client = (): Promise<Redis> => (ioredis ??= rig.clients.ioredis() as Promise<Redis>);

for (const [framework, start] of Object.entries(IN_PROCESS_LOGIN_APPS)) {
  describe(`${framework} login example`, () => {
    let app: ServedApp;
    before(async () => {
      const sessions = createSessionManager({
        store: redisStore({ client: await client(), prefix: `example-${framework}:` }),
        storeTimeoutMs: 300,
        transport: DEMO_TRANSPORTS, // as the demo runs them: the /api routes take Bearer tokens
      });
      app = await start({ sessions, instance: `${framework}-a` });
    });
    after(() => app.close());

    it("logs in through the form, greets the user with a visit counter, and logs out", () => checkFormLogin(app.url, { instance: `${framework}-a` }));

    it("refuses a login form posted without its CSRF token or from another site (403), logging no one in", () => checkForgedLoginsRefused(app.url));

    it("the JSON API: POST /api/login answers a token and no cookie, GET /api/me reads the Bearer token, POST /api/logout ends it", () =>
      checkApiTokens(app.url, `${framework}-a`));

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

    it("answers 503 while Redis hangs instead of logging the user out, then carries on", () => checkStoreOutage(app.url, rig.redis));
  });
}
