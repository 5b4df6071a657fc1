/**
 * Issue 11, findings 3 and 6, against a real redis-server: only the
 * canonical cookie value verifies (no look-alike characters, no stray bits),
 * only live sessions' values are remembered, and a decoy cookie of the
 * session's name never shadows or clears the real one (core and Express).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createSessionManager, type SessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { redisStore } from "tessera-session/redis";
import { fakeClock } from "tessera-session/testing";
import { MAX_SESSION_COOKIES, readSessionCookies } from "../dist/core/cookie.js";
import { verifiedCookies } from "../dist/core/verified-cookies.js";
import { sessionTestApp } from "./support/express-app.js";
import { close, CookieClient, listen } from "./support/http.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

type Data = Record<string, unknown>;
const SECRET = "h".repeat(40);
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

let redis: RedisServer;
let client: Redis;
const servers: Server[] = [];

before(async () => {
  redis = await startRedisServer();
  client = new Redis(redis.url);
});
after(async () => {
  for (const server of servers) await close(server);
  client.disconnect();
  await redis.close();
});

/** One manager per mode, shared by the tests (each Redis store adds a listener to the client). */
const managers = new Map<boolean, SessionManager<Data>>();
function manager(signed: boolean): SessionManager<Data> {
  let sessions = managers.get(signed);
  if (sessions === undefined) {
    const store = redisStore({ client, prefix: `hardening-${signed ? "signed" : "unsigned"}:` });
    sessions = createSessionManager<Data>(signed ? { store, secrets: [SECRET] } : { store });
    managers.set(signed, sessions);
  }
  return sessions;
}

/** The cookie value a Set-Cookie line carries. */
function valueOf(setCookie: string): string {
  return setCookie.slice(setCookie.indexOf("=") + 1, setCookie.indexOf(";"));
}

/** Logs a user in (a new session holding `user`) and returns its cookie value. */
async function issue(sessions: SessionManager<Data>, user = "ada"): Promise<string> {
  const session = await sessions.load({ cookieHeader: undefined, secure: false });
  session.data.user = user;
  return valueOf((await sessions.commit(session))!);
}

/** One request: load with `cookieHeader`, commit unchanged; the session, its Set-Cookie and the Redis commands sent. */
async function request(sessions: SessionManager<Data>, cookieHeader: string | undefined) {
  let session!: Awaited<ReturnType<SessionManager<Data>["load"]>>;
  let setCookie: string | undefined;
  const { total } = await redis.countCommands(async () => {
    session = await sessions.load({ cookieHeader, secure: false });
    setCookie = await sessions.commit(session);
  });
  return { session, setCookie, commands: total };
}

/** The same value with the character at `index` replaced. */
function withCharAt(value: string, index: number, replacement: string): string {
  return value.slice(0, index) + replacement + value.slice(index + 1);
}

/** The last character's neighbour in the alphabet: a different string, the same 32 bytes once decoded. */
function strayBitsVariant(encoded: string): string {
  const last = BASE64URL.indexOf(encoded.at(-1)!);
  return withCharAt(encoded, encoded.length - 1, BASE64URL[last + 1]!);
}

function assertAnonymous(result: Awaited<ReturnType<typeof request>>, label: string): void {
  assert.equal(result.session.isNew, true, `${label}: anonymous`);
  assert.deepEqual(result.session.data, {}, `${label}: no data`);
}

describe("only the canonical cookie value verifies (finding 3)", () => {
  it("a signature character's look-alike with the same low byte does not verify, raw or percent-encoded, and is never re-issued", async () => {
    const sessions = manager(true);
    const value = await issue(sessions);
    for (const index of [44, 60, 86]) {
      // U+0141 "Ł" and "A" share the low byte 0x41: a latin1 comparison took one for the other.
      const lookalike = String.fromCharCode(value.charCodeAt(index) + 0x100);
      for (const variant of [withCharAt(value, index, lookalike), withCharAt(value, index, encodeURIComponent(lookalike))]) {
        const result = await request(sessions, `tessera=${variant}`);
        assertAnonymous(result, `look-alike at ${index}`);
        assert.equal(result.commands, 0, "rejected without a store round trip");
        assert.match(result.setCookie ?? "", /^tessera=;.*Max-Age=0/, "the variant is cleared, never re-issued");
      }
    }
    assert.equal((await request(sessions, `tessera=${value}`)).session.data.user, "ada", "the real cookie still works");
  });

  it("a signature whose last character carries stray bits decodes to the same bytes but does not verify", async () => {
    const sessions = manager(true);
    const value = await issue(sessions);
    const signature = value.slice(44);
    const variant = strayBitsVariant(signature);
    assert.deepEqual(Buffer.from(variant, "base64url"), Buffer.from(signature, "base64url"), "same bytes");
    const result = await request(sessions, `tessera=${value.slice(0, 44)}${variant}`);
    assertAnonymous(result, "stray-bits signature");
    assert.equal(result.commands, 0);
  });

  it("a token whose last character carries stray bits is not a token: no store round trip, signed or not", async () => {
    for (const signed of [false, true]) {
      const sessions = manager(signed);
      const value = await issue(sessions);
      const variant = strayBitsVariant(value.slice(0, 43)) + value.slice(43);
      const result = await request(sessions, `tessera=${variant}`);
      assertAnonymous(result, `stray-bits token, ${signed ? "signed" : "unsigned"}`);
      assert.equal(result.commands, 0, `${signed ? "signed" : "unsigned"}: rejected by its shape alone`);
    }
  });

  it("a renewal re-issues exactly the canonical value the session was issued", async () => {
    // The memory store follows the fake clock (Redis TTLs run on real time).
    const clock = fakeClock();
    const sessions = createSessionManager<Data>({ store: memoryStore(), secrets: [SECRET], clock, idleTimeoutSeconds: 600, renewIntervalSeconds: 60 });
    const value = await issue(sessions);
    clock.advance(61_000);
    const renewed = await request(sessions, `tessera=${value}`);
    assert.equal(renewed.session.data.user, "ada");
    assert.equal(valueOf(renewed.setCookie!), value);
  });

  it("a value is remembered only once the store has confirmed a live session for it, and never a stale one", () => {
    const unsigned = verifiedCookies([]);
    const forged = randomBytes(32).toString("base64url");
    const first = unsigned.verify(forged)!;
    assert.equal(first.value, forged, "any well-formed value verifies without secrets");
    assert.notEqual(unsigned.verify(forged), first, "but it is not remembered: forged cookies cannot fill the cache");
    unsigned.confirm(first);
    assert.equal(unsigned.verify(forged), first, "remembered once confirmed live");

    const leftover = `${randomBytes(32).toString("base64url")}.${randomBytes(32).toString("base64url")}`;
    const stale = unsigned.verify(leftover)!;
    assert.equal(stale.stale, true, "a signed cookie left over from signed mode is stale");
    unsigned.confirm(stale);
    assert.notEqual(unsigned.verify(leftover), stale, "stale values are re-issued, never remembered: one entry per session");
  });
});

describe("several cookies of the session's name (finding 6)", () => {
  for (const signed of [false, true]) {
    const mode = signed ? "signed" : "unsigned";
    /** A decoy that passes verification without secrets: a well-formed, never-issued token. */
    const unknownToken = () => randomBytes(32).toString("base64url");

    it(`${mode}: a decoy before the real cookie neither shadows nor clears it`, async () => {
      const sessions = manager(signed);
      const value = await issue(sessions);
      const decoys = ["garbage", "", unknownToken(), `${unknownToken()}.${unknownToken()}`, strayBitsVariant(value)];
      for (const decoy of decoys) {
        const result = await request(sessions, `tessera=${decoy}; theme=dark; tessera=${value}`);
        assert.equal(result.session.data.user, "ada", `decoy ${JSON.stringify(decoy.slice(0, 12))}: the real session loads`);
        assert.equal(result.setCookie, undefined, `decoy ${JSON.stringify(decoy.slice(0, 12))}: nothing is cleared`);
      }
    });

    it(`${mode}: one cookie costs one round trip, none zero, and only a decoy that verifies costs one more`, async () => {
      const sessions = manager(signed);
      const value = await issue(sessions);
      assert.equal((await request(sessions, undefined)).commands, 0, "no cookie");
      assert.equal((await request(sessions, "theme=dark")).commands, 0, "no session cookie");
      assert.equal((await request(sessions, `tessera=${value}`)).commands, 1, "one cookie");
      assert.equal((await request(sessions, `tessera=${value}; tessera=${unknownToken()}`)).commands, 1, "the real one first");
      assert.equal((await request(sessions, `tessera=garbage; tessera=${value}`)).commands, 1, "a malformed decoy costs nothing");
      const unknownFirst = await request(sessions, `tessera=${unknownToken()}; tessera=${value}`);
      assert.equal(unknownFirst.session.data.user, "ada");
      assert.equal(unknownFirst.commands, signed ? 1 : 2, signed ? "a forged decoy costs nothing" : "an unsigned decoy costs its lookup");
    });

    it(`${mode}: when no cookie of the name is live they are cleared; past 4 cookies nothing is`, async () => {
      const sessions = manager(signed);
      const value = await issue(sessions);
      const none = await request(sessions, `tessera=${unknownToken()}; tessera=garbage`);
      assertAnonymous(none, "no live cookie");
      assert.match(none.setCookie ?? "", /^tessera=;.*Max-Age=0/);

      const crowded = ["a", "b", "c", "d"].map((decoy) => `tessera=${decoy}`).join("; ");
      const shadowed = await request(sessions, `${crowded}; tessera=${value}`);
      assertAnonymous(shadowed, "a fifth cookie is not tried");
      assert.equal(shadowed.setCookie, undefined, "an untried cookie may be the live one: nothing is cleared");
      assert.equal((await request(sessions, `${crowded}; tessera=a; tessera=${value}`)).session.data.user, undefined);
      const repeated = await request(sessions, `tessera=a; tessera=a; tessera=a; tessera=a; tessera=${value}`);
      assert.equal(repeated.session.data.user, "ada", "repeats of one value count once");
    });
  }

  it("the header is split exactly: every cookie of the name in order, only spaces and tabs trimmed, nothing decoded", () => {
    assert.deepEqual(readSessionCookies("tessera=a; theme=dark;tessera=b ;\ttessera = c", "tessera"), { values: ["a", "b", "c"], truncated: false });
    assert.deepEqual(readSessionCookies('tessera="a"; tessera=%41; tessera=\u00a0b', "tessera").values, ['"a"', "%41", "\u00a0b"]);
    assert.deepEqual(readSessionCookies("xtessera=a; Tessera=b; tessera2=c; tessera; =tessera", "tessera").values, []);
    assert.deepEqual(readSessionCookies("tessera=a; tessera=a; tessera=b", "tessera").values, ["a", "b"], "repeats count once");
    const many = Array.from({ length: MAX_SESSION_COOKIES + 1 }, (_, i) => `tessera=${i}`).join("; ");
    assert.deepEqual(readSessionCookies(many, "tessera"), { values: ["0", "1", "2", "3"], truncated: true });
    assert.deepEqual(readSessionCookies(`${";".repeat(10_000)}tessera=a`, "tessera").values, ["a"]);
    assert.deepEqual(readSessionCookies(`x=${"y".repeat(16 * 1024)}; tessera=a`, "tessera").values, [], "an oversized header is ignored");
  });

  it("through Express: a planted cookie of the same name before the real one does not log the user out", async () => {
    const sessions = manager(true);
    const server = createServer(sessionTestApp(sessions));
    servers.push(server);
    const browser = new CookieClient(await listen(server));
    const login = await browser.post("/login", { username: "ada" });
    assert.equal(login.status, 303);
    const real = browser.jar.get("tessera")!;
    const planted = `${randomBytes(32).toString("base64url")}.${randomBytes(32).toString("base64url")}`;
    for (const cookie of [`tessera=${planted}; tessera=${real}`, `tessera=${real}; tessera=${planted}`]) {
      const response = await browser.get("/read", { cookie });
      assert.equal(response.status, 200);
      assert.equal(JSON.parse(response.body).data.username, "ada", cookie.slice(0, 20));
      assert.deepEqual(response.setCookies, [], "no Set-Cookie clears the real session");
    }
    assert.equal(browser.jar.get("tessera"), real, "the browser keeps its cookie");
    assert.equal(JSON.parse((await browser.get("/read")).body).data.username, "ada");
  });
});
