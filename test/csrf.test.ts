/**
 * CSRF protection, built in: the same cases on all five adapters, through
 * real servers on loopback ports and a real redis-server. A cross-site or
 * token-less state-changing request is refused with 403 and a typed
 * `CsrfError` on the framework's error path, and changes nothing; the
 * right token passes; the token rotates on regenerate, survives from the
 * form's GET to the POST on another instance, and costs no Redis command
 * on requests that do not create it.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import {
  createSessionManager,
  CsrfError,
  csrfToken,
  resolveCsrfOptions,
  SessionConfigError,
  SessionStoreError,
  verifyCsrf,
  type CsrfRequest,
  type SessionManager,
} from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { redisStore } from "tessera-session/redis";
import type { ServedApp } from "tessera-session/testing";
import { csrfApps } from "./support/csrf-apps.js";
import { CookieClient, type TestResponse } from "./support/http.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { sessionClient } from "./support/session-client.js";

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

type Data = Record<string, unknown>;
const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** A form POST with extra headers (what a browser adds: Sec-Fetch-Site, Origin). */
function postForm(browser: CookieClient, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<TestResponse> {
  return browser.request(path, { method: "POST", body: new URLSearchParams(form).toString(), headers: { ...FORM, ...headers } });
}

async function tokenOf(browser: CookieClient): Promise<string> {
  const response = await browser.get("/form");
  assert.equal(response.status, 200);
  return (JSON.parse(response.body) as { token: string }).token;
}

async function whoami(browser: CookieClient): Promise<{ username: string | null; changes: number }> {
  return JSON.parse((await browser.get("/whoami")).body) as { username: string | null; changes: number };
}

/** Every session record under a prefix, field by field: what "changes nothing" compares. */
async function records(prefix: string): Promise<Record<string, Record<string, string>>> {
  const keys = (await client.keys(`${prefix}*`)).sort();
  const out: Record<string, Record<string, string>> = {};
  for (const key of keys) if ((await client.type(key)) === "hash") out[key] = await client.hgetall(key);
  return out;
}

function assertRefused(response: TestResponse, reason: string, label: string): void {
  assert.equal(response.status, 403, `${label}: ${response.body}`);
  assert.deepEqual(JSON.parse(response.body), { code: "TESSERA_CSRF", reason }, label);
}

for (const [framework, serve] of Object.entries(csrfApps)) {
  describe(`CSRF on ${framework}`, () => {
    const prefix = `csrf-${framework}:`;
    let a: ServedApp;
    let b: ServedApp;
    before(async () => {
      const manager = (): SessionManager<Data> => createSessionManager<Data>({ store: redisStore({ client, prefix }) });
      // Two instances, two managers, one Redis: a load balancer may send the form's GET and its POST to different ones.
      a = await serve(manager());
      b = await serve(manager());
    });
    after(async () => {
      await a?.close();
      await b?.close();
    });

    /** A browser logged in on instance A, with a token of its session. */
    async function loggedIn(): Promise<{ browser: CookieClient; token: string }> {
      const browser = new CookieClient(a.url);
      const login = await postForm(browser, "/login", { _csrf: await tokenOf(browser), username: "ada" });
      assert.equal(login.status, 200, login.body);
      return { browser, token: await tokenOf(browser) };
    }

    it("refuses a cross-site form POST (Sec-Fetch-Site: cross-site, or a foreign Origin) with 403 and a typed error, changing nothing", async () => {
      const { browser, token } = await loggedIn();
      const before = await records(prefix);
      // The right token, even: the browser says another site sent the form.
      assertRefused(await postForm(browser, "/change", { _csrf: token }, { "sec-fetch-site": "cross-site" }), "cross-site", "Sec-Fetch-Site");
      assertRefused(await postForm(browser, "/change", { _csrf: token }, { "sec-fetch-site": "same-site" }), "cross-site", "same-site by default");
      assertRefused(await postForm(browser, "/change", { _csrf: token }, { origin: "https://evil.example" }), "origin-mismatch", "Origin");
      assertRefused(await postForm(browser, "/change", { _csrf: token }, { origin: "null" }), "origin-mismatch", "Origin: null");
      assertRefused(await postForm(browser, "/login", { _csrf: token, username: "mallory" }, { origin: "https://evil.example" }), "origin-mismatch", "login");
      assert.deepEqual(await records(prefix), before, "no record changed");
      assert.deepEqual(await whoami(browser), { username: "ada", changes: 0 });
    });

    it("refuses a POST without a token, and one with a wrong token of the same length, with 403", async () => {
      const { browser, token } = await loggedIn();
      const before = await records(prefix);
      assertRefused(await postForm(browser, "/change", {}), "missing-token", "no token");
      assertRefused(await postForm(browser, "/change", { _csrf: "" }), "missing-token", "empty token");
      const sameLength = randomBytes(64).toString("base64url");
      assert.equal(sameLength.length, token.length);
      assertRefused(await postForm(browser, "/change", { _csrf: sameLength }), "invalid-token", "wrong token");
      assertRefused(await postForm(browser, "/change", {}, { "x-csrf-token": sameLength }), "invalid-token", "wrong header token");
      // Another session's genuine token is no token of this session.
      const other = await loggedIn();
      assertRefused(await postForm(browser, "/change", { _csrf: other.token }), "invalid-token", "another session's token");
      // And a session without a cookie at all has no secret for any token to match.
      assertRefused(await postForm(new CookieClient(a.url), "/change", { _csrf: token }), "invalid-token", "no session");
      for (const [key, fields] of Object.entries(before)) assert.deepEqual((await records(prefix))[key], fields, `${key} unchanged`);
      assert.equal((await whoami(browser)).changes, 0);
    });

    it("accepts the right token, from the form field or the header, same-origin or with no browser headers at all", async () => {
      const { browser, token } = await loggedIn();
      const host = new URL(a.url).host;
      const cases: Array<[Record<string, string>, Record<string, string>, string]> = [
        [{ _csrf: token }, {}, "no Origin, no Sec-Fetch-Site (old browser, non-browser client)"],
        [{ _csrf: token }, { "sec-fetch-site": "same-origin" }, "Sec-Fetch-Site: same-origin"],
        [{ _csrf: token }, { origin: `http://${host}` }, "own Origin"],
        [{}, { "x-csrf-token": token, "sec-fetch-site": "same-origin" }, "header token"],
        [{ _csrf: await tokenOf(browser) }, { "sec-fetch-site": "none", origin: `http://${host}` }, "another masked token of the same secret"],
      ];
      let expected = 0;
      for (const [form, headers, label] of cases) {
        const response = await postForm(browser, "/change", form, headers);
        assert.equal(response.status, 200, `${label}: ${response.body}`);
        assert.deepEqual(JSON.parse(response.body), { changes: ++expected }, label);
      }
    });

    it("answers 403 through the framework's default error handling too", async () => {
      const plain = await serve(createSessionManager<Data>({ store: redisStore({ client, prefix }) }), { defaultErrors: true });
      try {
        const browser = new CookieClient(plain.url);
        const token = await tokenOf(browser);
        const refused = await postForm(browser, "/change", {});
        assert.equal(refused.status, 403);
        if (framework === "node") assert.equal(refused.body, "Forbidden", "nodeSession's default onError names the status");
        assert.equal((await postForm(browser, "/change", { _csrf: token }, { "sec-fetch-site": "cross-site" })).status, 403);
        assert.equal((await postForm(browser, "/change", { _csrf: token })).status, 200);
      } finally {
        await plain.close();
      }
    });

    it("never blocks GET, even cross-site and without a token", async () => {
      const { browser } = await loggedIn();
      const response = await browser.get("/whoami", { headers: { "sec-fetch-site": "cross-site", origin: "https://evil.example" } });
      assert.equal(response.status, 200);
      assert.equal((JSON.parse(response.body) as { username: string }).username, "ada");
    });

    it("rotates the token on regenerate: the login form's token is refused after login", async () => {
      const browser = new CookieClient(a.url);
      const anonymous = await tokenOf(browser);
      assert.equal((await postForm(browser, "/login", { _csrf: anonymous, username: "grace" })).status, 200);
      assertRefused(await postForm(browser, "/change", { _csrf: anonymous }), "invalid-token", "pre-login token after login");
      const fresh = await tokenOf(browser);
      assert.notEqual(fresh, anonymous);
      assert.equal((await postForm(browser, "/change", { _csrf: fresh })).status, 200);
      assert.deepEqual(await whoami(browser), { username: "grace", changes: 1 });
    });

    it("keeps an anonymous form's token from its GET on one instance to its POST on another", async () => {
      const onA = new CookieClient(a.url);
      const token = await tokenOf(onA);
      assert.ok(onA.jar.has("tessera"), "asking for a token stores the anonymous session (it sets a cookie)");
      const onB = new CookieClient(b.url);
      for (const [name, value] of onA.jar) onB.jar.set(name, value);
      const login = await postForm(onB, "/login", { _csrf: token, username: "linus" });
      assert.equal(login.status, 200, login.body);
      assert.deepEqual(await whoami(onB), { username: "linus", changes: 0 });
    });
  });
}

describe("CSRF in the core", () => {
  const request = (overrides: Partial<CsrfRequest>): CsrfRequest => ({
    method: "POST",
    secFetchSite: undefined,
    origin: undefined,
    protocol: "https",
    host: "app.example.com",
    formToken: undefined,
    headerToken: undefined,
    ...overrides,
  });

  it("costs nothing on requests that do not create the secret: a read stays 1 command, verifying adds none", async () => {
    const prefix = "csrf-cost:";
    const manager = createSessionManager<Data>({ store: redisStore({ client, prefix }) });
    const browser = sessionClient();
    let token = "";
    const created = await redis.countCommands(() => browser.request(manager, (session) => void (token = csrfToken(session))));
    assert.equal(created.total, 1, `one write creates the session with its secret: ${JSON.stringify(created.byCommand)}`);
    const options = resolveCsrfOptions();
    const read = await redis.countCommands(() =>
      browser.request(manager, (session) => {
        verifyCsrf(session, request({ formToken: token }), options);
        csrfToken(session); // another page's token: the same secret, nothing to write
      }),
    );
    assert.equal(read.total, 1, `a read, no write: ${JSON.stringify(read.byCommand)}`);
    const plain = await redis.countCommands(() => browser.request(manager));
    assert.equal(plain.total, 1);
  });

  it("masks every token differently (BREACH) while all of them verify; the secret never appears", async () => {
    const manager = createSessionManager<Data>({ store: memoryStore() });
    const session = await manager.load({ cookieHeader: undefined, secure: false });
    const tokens = new Set(Array.from({ length: 20 }, () => csrfToken(session)));
    assert.equal(tokens.size, 20);
    const options = resolveCsrfOptions();
    for (const token of tokens) verifyCsrf(session, request({ formToken: token }), options);
    // One bit flipped anywhere: refused.
    // A field a parser turned into an array (sent twice) is no token.
    assert.throws(() => verifyCsrf(session, request({ formToken: [...tokens].slice(0, 2) }), options), { reason: "invalid-token" });
    const [first] = tokens;
    const flipped = Buffer.from(first!, "base64url");
    flipped[40]! ^= 1;
    assert.throws(() => verifyCsrf(session, request({ formToken: flipped.toString("base64url") }), options), CsrfError);
  });

  it("checks Sec-Fetch-Site before Origin, honours allowedOrigins and allowSameSite, and always wants the token", async () => {
    const manager = createSessionManager<Data>({ store: memoryStore() });
    const session = await manager.load({ cookieHeader: undefined, secure: false });
    const token = csrfToken(session);
    const strict = resolveCsrfOptions();
    const lenient = resolveCsrfOptions({ allowedOrigins: ["https://partner.example"], allowSameSite: true });
    const reason = (options: typeof strict, overrides: Partial<CsrfRequest>): string | undefined => {
      try {
        verifyCsrf(session, request(overrides), options);
        return undefined;
      } catch (error) {
        assert.ok(error instanceof CsrfError);
        assert.equal(error.status, 403);
        assert.equal(error.code, "TESSERA_CSRF");
        return error.reason;
      }
    };
    assert.equal(reason(strict, { formToken: token, origin: "https://app.example.com" }), undefined);
    assert.equal(reason(strict, { formToken: token, origin: "https://app.example.com:443" }), "origin-mismatch", "browsers never send a default port");
    assert.equal(reason(strict, { formToken: token, host: "APP.example.com:443", origin: "https://app.example.com" }), undefined);
    assert.equal(reason(strict, { formToken: token, host: "evil.example/x", origin: "https://evil.example" }), "origin-mismatch");
    assert.equal(reason(strict, { formToken: token, protocol: "http", origin: "https://app.example.com" }), "origin-mismatch");
    // Sec-Fetch-Site wins over a matching Origin.
    assert.equal(reason(strict, { formToken: token, secFetchSite: "cross-site", origin: "https://app.example.com" }), "cross-site");
    assert.equal(reason(strict, { formToken: token, secFetchSite: "some-future-value" }), "cross-site");
    assert.equal(reason(strict, { formToken: token, secFetchSite: "cross-site", origin: "https://partner.example" }), "cross-site");
    assert.equal(reason(lenient, { formToken: token, secFetchSite: "cross-site", origin: "https://partner.example" }), undefined);
    assert.equal(reason(lenient, { formToken: token, secFetchSite: "same-site" }), undefined);
    assert.equal(reason(lenient, { secFetchSite: "same-site" }), "missing-token", "allowed origins still need the token");
    assert.equal(reason(lenient, { origin: "https://partner.example" }), "missing-token");
    for (const method of ["GET", "HEAD", "OPTIONS", "TRACE", "get"]) assert.equal(reason(strict, { method, secFetchSite: "cross-site" }), undefined, method);
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "PROPFIND"]) assert.equal(reason(strict, { method }), "missing-token", method);
  });

  it("rotates the secret on regenerate and drops it on destroy", async () => {
    const manager = createSessionManager<Data>({ store: memoryStore() });
    const browser = sessionClient();
    let before = "";
    await browser.request(manager, (session) => void (before = csrfToken(session)));
    const options = resolveCsrfOptions();
    await browser.request(manager, async (session) => {
      verifyCsrf(session, request({ formToken: before }), options);
      await session.regenerate();
      assert.throws(() => verifyCsrf(session, request({ formToken: before }), options), { reason: "invalid-token" });
    });
    await browser.request(manager, async (session) => {
      assert.throws(() => verifyCsrf(session, request({ formToken: before }), options), { reason: "invalid-token" }, "after the commit too");
      const after = csrfToken(session);
      verifyCsrf(session, request({ formToken: after }), options);
      await session.destroy();
      assert.throws(() => verifyCsrf(session, request({ formToken: after }), options), { reason: "invalid-token" });
    });
  });

  it("a session the store could not load answers the store error, not a 403 nor a fresh secret", async () => {
    const store = memoryStore();
    const ok = createSessionManager<Data>({ store });
    const browser = sessionClient();
    let token = "";
    await browser.request(ok, (session) => void (token = csrfToken(session)));
    const failing = { ...store, load: () => Promise.reject(new Error("down")) };
    const down = createSessionManager<Data>({ store: failing, storeOutage: "anonymous" });
    const session = await down.load({ cookieHeader: `tessera=${browser.cookie}`, secure: false });
    assert.equal(session.unavailable, true);
    assert.throws(() => verifyCsrf(session, request({ formToken: token }), resolveCsrfOptions()), SessionStoreError);
    assert.throws(() => csrfToken(session), SessionStoreError);
  });

  it("rejects bad options at creation with a message that says how to fix them", () => {
    assert.throws(() => resolveCsrfOptions({ allowedOrigins: ["https://example.com/"] }), /write "https:\/\/example.com\/" as "https:\/\/example.com"/);
    assert.throws(() => resolveCsrfOptions({ allowedOrigins: ["example.com"] }), SessionConfigError);
    assert.throws(() => resolveCsrfOptions({ headerName: "x csrf" }), SessionConfigError);
    assert.throws(() => resolveCsrfOptions({ fieldName: "" }), SessionConfigError);
    assert.throws(() => resolveCsrfOptions({ allowedOrigin: [] } as never), /Unknown CSRF option "allowedOrigin"/);
    assert.equal(resolveCsrfOptions({ headerName: "X-XSRF-Token" }).headerName, "x-xsrf-token");
  });
});
