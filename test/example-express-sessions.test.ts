/**
 * The Express login example's "Your sessions" page over HTTP, against a
 * real redis-server: who may see it, what it lists (device, IP, "This
 * device"), revoking one session or all others, the CSRF token every POST
 * must carry, and that one user can never revoke another's session.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, it } from "node:test";
import { Redis } from "ioredis";
import { createSessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { createLoginApp } from "../examples/express-login/app.js";
import { close, CookieClient, formCsrfToken, listen } from "./support/http.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

let redis: RedisServer;
let client: Redis;
let server: Server;
let url: string;

before(async () => {
  redis = await startRedisServer();
  client = new Redis(redis.url);
  const sessions = createSessionManager({ store: redisStore({ client, prefix: "example-express-sessions:" }) });
  // No trustProxy: nothing in front of this app is trusted, so X-Forwarded-For is the client's own claim.
  server = createServer(createLoginApp({ sessions, instance: "instance-a" }));
  url = await listen(server);
});
after(async () => {
  await close(server);
  client.disconnect();
  await redis.close();
});

const FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:128.0) Gecko/20100101 Firefox/128.0";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/** Logs in through the form (fetched first, for its CSRF token) with a given User-Agent (and optional extra headers); returns the status. */
async function logInAs(browser: CookieClient, username: string, userAgent: string, headers: Record<string, string> = {}): Promise<number> {
  const form = await browser.get("/login");
  // Already logged in, /login redirects home: the sessions page's forms carry the session's token too.
  const page = form.status === 303 ? await browser.get("/sessions") : form;
  const response = await browser.request("/login", {
    method: "POST",
    body: new URLSearchParams({ username, _csrf: formCsrfToken(page.body) }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": userAgent, ...headers },
  });
  return response.status;
}

interface Row {
  id: string;
  current: boolean;
  device: string;
  meta: string;
}

/** The session rows of a "Your sessions" page. */
function rows(html: string): Row[] {
  return [...html.matchAll(/<li class="session[^"]*" data-session-id="([^"]+)" data-current="(true|false)">([\s\S]*?)<\/li>/g)].map((m) => ({
    id: m[1]!,
    current: m[2] === "true",
    device: /<span class="device">([^<]*)</.exec(m[3]!)?.[1] ?? "",
    meta: (/<div class="session-meta[^"]*">([\s\S]*?)<\/div>/.exec(m[3]!)?.[1] ?? "").replace(/<[^>]+>/g, ""),
  }));
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

it("sends anonymous visitors of /sessions to /login, and refuses their POSTs the same way", async () => {
  const browser = new CookieClient(url);
  const page = await browser.get("/sessions");
  assert.equal(page.status, 303);
  assert.equal(page.headers.get("location"), "/login");
  for (const path of ["/sessions/revoke-others", "/sessions/abc/revoke"]) {
    const post = await browser.post(path, { _csrf: "x" });
    assert.equal(post.status, 303, path);
    assert.equal(post.headers.get("location"), "/login", path);
  }
  // Logged in through the old form, the index page links to the sessions page.
  await logInAs(browser, "linker", FIREFOX_MAC);
  assert.match((await browser.get("/")).body, /<a [^>]*id="sessions-link" href="\/sessions">Your sessions<\/a>/);
});

it("lists the user's sessions with device, IP and 'This device', and revokes another one only with the CSRF token", async () => {
  const laptop = new CookieClient(url);
  const phone = new CookieClient(url);
  assert.equal(await logInAs(laptop, "lin", FIREFOX_MAC), 303);
  // No proxy is trusted by this app: a client's X-Forwarded-For must not become its IP.
  assert.equal(await logInAs(phone, "lin", SAFARI_IPHONE, { "x-forwarded-for": "203.0.113.9" }), 303);

  const page = await laptop.get("/sessions");
  assert.equal(page.status, 200);
  const listed = rows(page.body);
  assert.equal(listed.length, 2);
  const [mine, other] = [listed.find((r) => r.current)!, listed.find((r) => !r.current)!];
  assert.equal(mine.device, "Firefox on macOS");
  assert.equal(other.device, "Safari on iPhone");
  assert.match(page.body, /class="badge this-device">This device</);
  assert.equal(page.body.match(/class="badge this-device"/g)?.length, 1, "exactly one 'This device'");
  assert.match(other.meta, /^127\.0\.0\.1 · Last active just now · Signed in just now$/);
  assert.doesNotMatch(page.body, /203\.0\.113\.9/);
  assert.doesNotMatch(page.body, new RegExp(`action="/sessions/${mine.id}/revoke"`), "no Revoke button on this device");
  const token = csrfOf(page.body);
  assert.ok(token && token.length >= 32);

  // Without the token, with a wrong one, or with another session's token: refused, nothing revoked.
  const phoneToken = csrfOf((await phone.get("/sessions")).body)!;
  assert.notEqual(phoneToken, token, "tokens are per session");
  const badForms: Record<string, string>[] = [{}, { _csrf: "0".repeat(64) }, { _csrf: phoneToken }];
  for (const form of badForms) {
    const refused = await laptop.post(`/sessions/${other.id}/revoke`, form);
    assert.equal(refused.status, 403);
    assert.match(refused.body, /This form is out of date/);
  }
  assert.match((await phone.get("/")).body, /Logged in as <strong>lin<\/strong>/);

  const revoke = await laptop.post(`/sessions/${other.id}/revoke`, { _csrf: token });
  assert.equal(revoke.status, 303);
  assert.equal(revoke.headers.get("location"), "/sessions?revoked=1");
  assert.match((await laptop.get("/sessions?revoked=1")).body, /id="notice">Signed out 1 session\./);
  // The phone is logged out on its very next request.
  assert.match((await phone.get("/")).body, /You are not logged in/);
  assert.deepEqual(rows((await laptop.get("/sessions")).body).map((r) => r.id), [mine.id]);
  const again = await laptop.post(`/sessions/${other.id}/revoke`, { _csrf: token });
  assert.equal(again.headers.get("location"), "/sessions?revoked=0");
});

it("never revokes another user's session, and revoking this session logs out", async () => {
  const ada = new CookieClient(url);
  const eve = new CookieClient(url);
  await logInAs(ada, "ada-victim", FIREFOX_MAC);
  await logInAs(eve, "eve", SAFARI_IPHONE);
  // A second device, so that eve's page has forms (and a token) at all.
  await logInAs(new CookieClient(url), "eve", FIREFOX_MAC);
  const adaId = rows((await ada.get("/sessions")).body).find((r) => r.current)!.id;
  const evePage = await eve.get("/sessions");
  const attempt = await eve.post(`/sessions/${adaId}/revoke`, { _csrf: csrfOf(evePage.body)! });
  assert.equal(attempt.headers.get("location"), "/sessions?revoked=0");
  assert.match((await ada.get("/")).body, /Logged in as <strong>ada-victim<\/strong>/);

  const eveId = rows(evePage.body).find((r) => r.current)!.id;
  const self = await eve.post(`/sessions/${eveId}/revoke`, { _csrf: csrfOf(evePage.body)! });
  assert.equal(self.headers.get("location"), "/");
  assert.ok(self.setCookies.some((line) => /^tessera=;/.test(line)), "cookie cleared");
  assert.match((await eve.get("/")).body, /You are not logged in/);
});

it("logs out everywhere else, keeping this session", async () => {
  const devices = [new CookieClient(url), new CookieClient(url), new CookieClient(url)];
  for (const device of devices) await logInAs(device, "many", FIREFOX_MAC);
  const [keeper, ...others] = devices as [CookieClient, ...CookieClient[]];
  const page = await keeper.get("/sessions");
  assert.equal(rows(page.body).length, 3);
  const done = await keeper.post("/sessions/revoke-others", { _csrf: csrfOf(page.body)! });
  assert.equal(done.headers.get("location"), "/sessions?revoked=2");
  for (const other of others) assert.match((await other.get("/")).body, /You are not logged in/);
  const after = await keeper.get("/sessions");
  assert.equal(rows(after.body).length, 1);
  assert.match(after.body, /id="only-this-device"/);
  assert.doesNotMatch(after.body, /id="revoke-others"/);
});

it("gives a fresh CSRF token at login: a token seen before login does not carry over", async () => {
  const browser = new CookieClient(url);
  await logInAs(new CookieClient(url), "fresh", SAFARI_IPHONE); // another device: the page has forms
  await logInAs(browser, "fresh", FIREFOX_MAC);
  const before = csrfOf((await browser.get("/sessions")).body);
  await logInAs(browser, "fresh", FIREFOX_MAC);
  const after = csrfOf((await browser.get("/sessions")).body);
  assert.ok(before && after);
  assert.notEqual(after, before);
});
