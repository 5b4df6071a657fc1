/**
 * Header token transports (issue 14) in the core, with the memory store and
 * a fake clock: where a token is read from, what a header client is told,
 * and the same guarantees as a cookie's (rotation, timeouts, revocation).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import {
  createSessionManager,
  CsrfError,
  resolveCsrfOptions,
  SessionConfigError,
  SessionStoreError,
  verifyCsrf,
  type CsrfRequest,
  type Session,
  type SessionManagerOptions,
  type SessionStore,
  tokenResponseHeaders,
} from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { fakeClock } from "tessera-session/testing";


type Data = Record<string, unknown>;
const SECRET = "k".repeat(32);
const OLD_SECRET = "o".repeat(32);

/** A memory store that counts its loads, to show which requests cost no store call. */
function countingStore(): { store: SessionStore; loads: () => number } {
  const inner = memoryStore();
  let loads = 0;
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      if (name !== "load") return Reflect.get(target, name, receiver) as unknown;
      return (...args: Parameters<SessionStore["load"]>) => {
        loads++;
        return target.load(...args);
      };
    },
  });
  return { store, loads: () => loads };
}

function setup(options: Partial<SessionManagerOptions> = {}) {
  const clock = fakeClock();
  const { store, loads } = countingStore();
  const manager = createSessionManager<Data>({ store, clock, secrets: [SECRET], ...options });
  /** One request with these headers: load, handler, commit; what a client would see. */
  async function request(headers: Record<string, string | string[]>, handler: (session: Session<Data>) => unknown = () => undefined) {
    const session = await manager.load({ cookieHeader: headers.cookie as string | undefined, headers, secure: false });
    const result = await handler(session);
    const setCookie = await manager.commit(session);
    return { session, setCookie, result, responseHeaders: new Map(tokenResponseHeaders(session)) };
  }
  /** An API login: a header client's new session, its token taken once. */
  async function apiLogin(username: string, headers: Record<string, string> = {}): Promise<string> {
    const { result, setCookie } = await request(headers, async (session) => {
      session.useHeaderToken();
      await session.regenerate();
      session.data.username = username;
      await session.commit();
      const token = session.takeIssuedToken();
      assert.equal(session.takeIssuedToken(), undefined, "the token is handed over once");
      return token;
    });
    assert.equal(setCookie, undefined, "a header client gets no Set-Cookie");
    assert.equal(typeof result, "string");
    return result as string;
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  return { clock, store, loads, manager, request, apiLogin, bearer };
}

describe("transport option", () => {
  const store = memoryStore();
  const cases: Array<[unknown, RegExp]> = [
    [[], /at least one/],
    ["header", /is not "cookie", "bearer"/],
    [{ header: "bad name" }, /is not "cookie", "bearer"/],
    [{ header: "Cookie" }, /not one a token can travel in/],
    [["bearer", { header: "Authorization" }], /twice/],
  ];
  for (const [transport, message] of cases) {
    it(`refuses ${JSON.stringify(transport)}`, () => {
      assert.throws(() => createSessionManager({ store, transport: transport as never }), (error: unknown) => {
        assert.ok(error instanceof SessionConfigError);
        assert.match(error.message, message);
        return true;
      });
    });
  }
  it("accepts one transport or an ordered list", () => {
    assert.deepEqual(createSessionManager({ store }).options.transports, [{ kind: "cookie" }]);
    assert.deepEqual(createSessionManager({ store, transport: [{ header: "X-Session-Token" }, "cookie"] }).options.transports, [
      { kind: "header", name: "x-session-token", bearer: false },
      { kind: "cookie" },
    ]);
  });
});

describe("a bearer client", () => {
  it("logs in with no cookie, is greeted by its token, and its listing never shows the token", async () => {
    const { apiLogin, request, bearer, manager } = setup({ transport: ["cookie", "bearer"] });
    const token = await apiLogin("ada");
    const { session, setCookie } = await request(bearer(token), async (s) => s.bindUser("ada"));
    assert.equal(setCookie, undefined);
    const bound = session.takeIssuedToken(); // bindUser rotated it
    assert.ok(bound && bound !== token);
    const me = await request(bearer(bound));
    assert.equal(me.session.data.username, "ada");
    assert.equal(me.session.takeIssuedToken(), undefined, "a token the client already holds is not handed out again");
    const listed = JSON.stringify(await manager.listUserSessions("ada"));
    assert.ok(!listed.includes(bound.slice(0, 43)), "listings show ids, never tokens");
  });

  it("a header-only manager makes every client a header client", async () => {
    const { request, bearer } = setup({ transport: "bearer" });
    const first = await request({}, (s) => void (s.data.n = 1));
    assert.equal(first.setCookie, undefined);
    const issued = first.responseHeaders.get("tessera-session-token");
    assert.ok(issued, "a token the app did not take goes out in a response header");
    assert.equal(first.responseHeaders.get("cache-control"), "no-store");
    assert.equal((await request(bearer(issued))).session.data.n, 1);
  });

  it("a named header carries the token alone", async () => {
    const { apiLogin, request } = setup({ transport: { header: "X-Session-Token" } });
    const token = await apiLogin("grace");
    assert.equal((await request({ "x-session-token": token })).session.data.username, "grace");
    assert.equal((await request({ authorization: `Bearer ${token}` })).session.data.username, undefined, "only the named header is read");
  });

  it("a renewal tells the client the new expiry in a response header, and nothing else", async () => {
    const { apiLogin, request, bearer, clock } = setup({ transport: "bearer", idleTimeoutSeconds: 600, renewIntervalSeconds: 60 });
    const token = await apiLogin("ada");
    assert.equal((await request(bearer(token))).responseHeaders.size, 0, "no renewal due: nothing to tell");
    clock.advance(120_000);
    const renewed = await request(bearer(token));
    assert.equal(renewed.setCookie, undefined);
    const expires = renewed.responseHeaders.get("tessera-session-expires");
    assert.ok(expires, "the moved expiry is told");
    assert.equal(Date.parse(expires), Math.floor(renewed.session.expiresAt! / 1000) * 1000);
    assert.equal(renewed.responseHeaders.get("tessera-session-token"), undefined, "same token: not sent again");
  });

  it("regenerate issues a new token the same way and kills the old one; destroy and revoke kill it everywhere", async () => {
    const { apiLogin, request, bearer, manager } = setup({ transport: "bearer" });
    const token = await apiLogin("ada");
    const rotated = await request(bearer(token), async (s) => s.regenerate());
    const next = rotated.responseHeaders.get("tessera-session-token");
    assert.ok(next && next !== token, "the new token goes to the client");
    assert.equal((await request(bearer(token))).session.data.username, undefined, "the old token is dead");
    assert.equal((await request(bearer(next))).session.data.username, "ada");
    await request(bearer(next), async (s) => s.destroy());
    assert.equal((await request(bearer(next))).session.data.username, undefined, "destroyed");

    const other = await request(bearer(await apiLogin("bob")), async (s) => s.bindUser("bob"));
    const bobToken = other.responseHeaders.get("tessera-session-token")!;
    assert.equal(await manager.revokeSession((await request(bearer(bobToken))).session.id!, { userId: "bob" }), true);
    const revoked = await request(bearer(bobToken), (s) => void (s.data.after = 1));
    assert.equal(revoked.session.data.username, undefined, "revoked");
    assert.notEqual(revoked.responseHeaders.get("tessera-session-token"), bobToken, "never resurrected");
  });

  it("idle and absolute timeouts hold for header tokens", async () => {
    const { apiLogin, request, bearer, clock } = setup({ transport: "bearer", idleTimeoutSeconds: 60, renewIntervalSeconds: 5, absoluteTimeoutSeconds: 300 });
    const idle = await apiLogin("idle");
    clock.advance(61_000);
    assert.equal((await request(bearer(idle))).session.data.username, undefined, "idle timeout");
    const busy = await apiLogin("busy");
    for (let i = 0; i < 6; i++) {
      clock.advance(50_000);
      assert.equal((await request(bearer(busy))).session.data.username, i < 5 ? "busy" : undefined, `after ${(i + 1) * 50} s`);
    }
  });

  it("a token signed with a retired-but-listed secret is re-signed and the new value handed to the client", async () => {
    const clock = fakeClock();
    const store = memoryStore();
    const before = createSessionManager<Data>({ store, clock, secrets: [OLD_SECRET], transport: "bearer" });
    const login = await before.load({ headers: {}, secure: false });
    login.data.username = "ada";
    await before.commit(login);
    const old = login.takeIssuedToken()!;
    const after = createSessionManager<Data>({ store, clock, secrets: [SECRET, OLD_SECRET], transport: "bearer" });
    const session = await after.load({ headers: { authorization: `Bearer ${old}` }, secure: false });
    assert.equal(session.data.username, "ada");
    await after.commit(session);
    const resigned = new Map(tokenResponseHeaders(session)).get("tessera-session-token");
    assert.ok(resigned && resigned !== old && resigned.slice(0, 43) === old.slice(0, 43), "same token, signed with the current secret");
  });

  it("a failed request hands out no new token", async () => {
    const { apiLogin, bearer, manager } = setup({ transport: "bearer" });
    const token = await apiLogin("ada");
    const session = await manager.load({ headers: bearer(token), secure: false });
    await session.regenerate();
    await manager.commit(session, { failed: true });
    assert.equal(session.takeIssuedToken(), undefined);
    assert.deepEqual(tokenResponseHeaders(session), []);
  });

  it("a store outage under the \"anonymous\" policy keeps a header client a header client: no cookie, no CSRF check, no logout", async () => {
    const { apiLogin, bearer, store, clock } = setup({ transport: ["cookie", "bearer"] });
    const token = await apiLogin("ada");
    const down = new Proxy(store, {
      get: (target, name, receiver) =>
        name === "load" ? () => Promise.reject(new SessionStoreError("load", "down")) : (Reflect.get(target, name, receiver) as unknown),
    });
    const manager = createSessionManager<Data>({ store: down, clock, secrets: [SECRET], transport: ["cookie", "bearer"], storeOutage: "anonymous" });
    const session = await manager.load({ headers: bearer(token), secure: false });
    assert.equal(session.unavailable, true);
    verifyCsrf(session, { method: "POST", secFetchSite: undefined, origin: undefined, protocol: "http", host: "localhost", formToken: undefined, headerToken: undefined }, resolveCsrfOptions());
    assert.equal(await manager.commit(session), undefined);
    assert.deepEqual(tokenResponseHeaders(session), []);
  });

  it("load({ token }) reads a token kept anywhere else", async () => {
    const { apiLogin, manager } = setup({ transport: "bearer" });
    const token = await apiLogin("ada");
    assert.equal((await manager.load({ token, secure: false })).data.username, "ada");
    assert.equal((await manager.load({ token: "nonsense", secure: false })).data.username, undefined);
  });
});

describe("malformed, forged and oversized header tokens", () => {
  it("are anonymous, cost no store call with secrets, and never throw", async () => {
    const { apiLogin, request, loads } = setup({ transport: "bearer" });
    const token = await apiLogin("ada");
    const forged = `${randomBytes(32).toString("base64url")}.${randomBytes(32).toString("base64url")}`;
    const tampered = `${token.slice(0, 5)}${token[5] === "A" ? "B" : "A"}${token.slice(6)}`;
    const bad: Array<string | string[]> = [`Bearer ${forged}`, `Bearer ${tampered}`, "Bearer junk", "Bearer", `Bearer ${"x".repeat(10_000)}`, `Bearer ${token} extra`, [`Bearer ${token}`, `Bearer ${token}`], "Basic dXNlcjpwYXNz", "garbage"];
    for (const authorization of bad) {
      const before = loads();
      const { session, setCookie, responseHeaders } = await request({ authorization });
      assert.equal(session.data.username, undefined, `anonymous with ${String(authorization).slice(0, 30)}`);
      assert.equal(loads(), before, "no store call");
      assert.equal(setCookie, undefined);
      assert.equal(responseHeaders.size, 0);
    }
    assert.equal((await request({ authorization: `bearer  ${token}` })).session.data.username, "ada", "the scheme is case-insensitive");
  });

  it("another scheme is not a credential: the next transport decides", async () => {
    const { request, manager } = setup({ transport: ["bearer", "cookie"] });
    const login = await manager.load({ secure: false });
    login.data.username = "cookie-user";
    const cookie = (await manager.commit(login))!.split(";")[0]!;
    assert.equal((await request({ cookie, authorization: "Basic dXNlcjpwYXNz" })).session.data.username, "cookie-user");
  });
});

describe("mixed apps: one manager, cookies and headers", () => {
  async function both(transport: SessionManagerOptions["transport"]) {
    const ctx = setup({ transport });
    const login = await ctx.manager.load({ secure: false });
    login.data.username = "browser";
    const cookie = (await ctx.manager.commit(login))!.split(";")[0]!;
    const token = await ctx.apiLogin("mobile");
    return { ...ctx, cookie, token };
  }

  it("a browser keeps its cookie and a mobile client its token", async () => {
    const { request, bearer, cookie, token } = await both(["cookie", "bearer"]);
    assert.equal((await request({ cookie })).session.data.username, "browser");
    assert.equal((await request(bearer(token))).session.data.username, "mobile");
  });

  it("a request carrying both is read through the first transport listed, and only that one", async () => {
    const cookieFirst = await both(["cookie", "bearer"]);
    assert.equal((await cookieFirst.request({ cookie: cookieFirst.cookie, ...cookieFirst.bearer(cookieFirst.token) })).session.data.username, "browser");
    const bearerFirst = await both(["bearer", "cookie"]);
    const read = await bearerFirst.request({ cookie: bearerFirst.cookie, ...bearerFirst.bearer(bearerFirst.token) });
    assert.equal(read.session.data.username, "mobile");
    const forged = await bearerFirst.request({ cookie: bearerFirst.cookie, authorization: "Bearer junk" });
    assert.equal(forged.session.data.username, undefined, "an invalid bearer token makes the request anonymous; the cookie is not a fallback");
    assert.equal(forged.setCookie, undefined, "and the cookie is left alone");
  });

  it("a cookie-only manager never reads the headers", async () => {
    const { manager } = setup();
    const session = await manager.load({ headers: () => assert.fail("headers read"), secure: false });
    assert.equal(session.isNew, true);
  });
});

describe("CSRF and header tokens", () => {
  const options = resolveCsrfOptions();
  const post: CsrfRequest = { method: "POST", secFetchSite: undefined, origin: undefined, protocol: "http", host: "localhost", formToken: undefined, headerToken: undefined };

  it("a request read through a header token, without the session cookie, is not checked", async () => {
    const { apiLogin, manager, bearer } = setup({ transport: ["cookie", "bearer"] });
    const token = await apiLogin("ada");
    verifyCsrf(await manager.load({ headers: bearer(token), secure: false }), post, options);
    verifyCsrf(await manager.load({ headers: { authorization: "Bearer junk" }, secure: false }), post, options);
  });

  it("a request carrying the session cookie stays checked, and so does one with no credential (login CSRF)", async () => {
    const { apiLogin, manager, bearer } = setup({ transport: ["bearer", "cookie"] });
    const token = await apiLogin("ada");
    const refused = (session: Session<Data>) => assert.throws(() => verifyCsrf(session, post, options), CsrfError);
    refused(await manager.load({ cookieHeader: `tessera=${"a".repeat(43)}`, headers: bearer(token), secure: false }));
    refused(await manager.load({ headers: {}, secure: false }));
    refused(await manager.load({ token, secure: false }));
  });
});
