/**
 * The core's rules with the memory store and a fake clock: configuration
 * errors, expiry arithmetic, cookie/record agreement, lifecycle edge cases.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createSessionManager, SessionConfigError, type Session, type SessionManager, type SessionManagerOptions } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { fakeClock } from "tessera-session/testing";

type Data = Record<string, unknown>;
const SECRET = "k".repeat(32);

function setup(options: Partial<SessionManagerOptions> = {}) {
  const clock = fakeClock();
  const store = memoryStore();
  const manager = createSessionManager<Data>({ store, clock, ...options });
  let cookie: string | undefined;
  /** One request: load with the current cookie, run the handler, commit, keep the new cookie. */
  async function request(handler: (session: Session<Data>) => unknown = () => undefined) {
    const session = await manager.load({ cookieHeader: cookie ? `tessera=${cookie}` : undefined, secure: false });
    await handler(session);
    const setCookie = await manager.commit(session);
    if (setCookie) {
      const value = setCookie.slice("tessera=".length, setCookie.indexOf(";"));
      cookie = /Max-Age=0/.test(setCookie) ? undefined : value;
    }
    return { session, setCookie };
  }
  return { clock, store, manager: manager as SessionManager<Data>, request, getCookie: () => cookie, setCookie: (c: string | undefined) => (cookie = c) };
}

describe("configuration errors say how to fix them", () => {
  const store = memoryStore();
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["short secret", () => createSessionManager({ store, secrets: ["short"] }), /at least 32/],
    ["undefined secret (unset env var)", () => createSessionManager({ store, secrets: [undefined] }), /environment variable/],
    ["empty secrets", () => createSessionManager({ store, secrets: [] }), /non-empty/],
    ["SameSite=None without Secure", () => createSessionManager({ store, cookie: { sameSite: "none" } }), /requires cookie.secure: true/],
    ["unknown option", () => createSessionManager({ store, idleTimeout: 60 } as never), /Unknown option "idleTimeout".*idleTimeoutSeconds/],
    ["unknown cookie option", () => createSessionManager({ store, cookie: { maxAge: 5 } } as never), /Unknown option cookie\."maxAge"/],
    ["missing store", () => createSessionManager({} as never), /store is required/],
    ["negative timeout", () => createSessionManager({ store, idleTimeoutSeconds: -1 }), /positive number/],
    ["absolute shorter than idle", () => createSessionManager({ store, idleTimeoutSeconds: 100, absoluteTimeoutSeconds: 50 }), /shorter than idleTimeoutSeconds/],
    ["renew interval not shorter than idle", () => createSessionManager({ store, idleTimeoutSeconds: 10, renewIntervalSeconds: 10 }), /must be shorter/],
    ["__Host- cookie without Secure", () => createSessionManager({ store, cookie: { name: "__Host-sid" } }), /__Host-/],
    ["invalid cookie name", () => createSessionManager({ store, cookie: { name: "my session" } }), /not a valid cookie name/],
  ];
  for (const [name, create, message] of cases) {
    it(name, () => {
      assert.throws(create, (error: unknown) => {
        assert.ok(error instanceof SessionConfigError);
        assert.equal(error.code, "TESSERA_CONFIG");
        assert.match(error.message, message);
        return true;
      });
    });
  }
  it("accepts a valid configuration", () => {
    createSessionManager({ store, secrets: [SECRET, "o".repeat(40)], cookie: { name: "__Host-sid", secure: true, sameSite: "none" } });
  });
});

describe("expiry with a fake clock", () => {
  it("expires after the idle timeout, renews at most once per interval, and the cookie follows the record", async () => {
    const { clock, request } = setup({ idleTimeoutSeconds: 600, renewIntervalSeconds: 60, absoluteTimeoutSeconds: 86400 });
    const created = await request((s) => void (s.data.user = "ada"));
    assert.match(created.setCookie!, /Max-Age=600/);
    assert.equal(created.session.expiresAt, clock.now() + 600_000);
    assert.match(created.setCookie!, new RegExp(`Expires=${new Date(clock.now() + 600_000).toUTCString()}`));

    clock.advance(30_000);
    const quiet = await request();
    assert.equal(quiet.setCookie, undefined, "no renewal within the interval: no Set-Cookie");
    assert.equal(quiet.session.data.user, "ada");

    clock.advance(40_000); // 70 s since the last renewal
    const renewed = await request();
    assert.match(renewed.setCookie!, /Max-Age=600/, "renewed: a fresh cookie");
    assert.equal(renewed.session.expiresAt, clock.now() + 600_000);

    clock.advance(599_000);
    assert.equal((await request()).session.data.user, "ada", "alive just before the idle deadline");
    clock.advance(600_001);
    const expired = await request();
    assert.deepEqual(expired.session.data, {});
    assert.match(expired.setCookie!, /Max-Age=0/, "the stale cookie is cleared");
  });

  it("ends the session at the absolute timeout, never extended by activity or regenerate", async () => {
    const { clock, request } = setup({ idleTimeoutSeconds: 600, renewIntervalSeconds: 60, absoluteTimeoutSeconds: 3600 });
    const first = await request((s) => void (s.data.user = "ada"));
    const createdAt = first.session.createdAt!;
    for (let i = 0; i < 6; i++) {
      clock.advance(500_000);
      const { session } = await request((s) => (i === 3 ? s.regenerate() : void (s.data.tick = i)));
      assert.equal(session.data.user, "ada");
      assert.equal(session.createdAt, createdAt, "createdAt survives regenerate");
      assert.ok(session.expiresAt! <= createdAt + 3_600_000, "expiry never passes the absolute deadline");
    }
    clock.advance(700_000);
    assert.deepEqual((await request()).session.data, {}, "over after 3600 s");
  });
});

describe("lifecycle edge cases", () => {
  it("an empty new session is never stored and sets no cookie", async () => {
    const { store, request } = setup();
    const { setCookie } = await request((s) => {
      s.data.x = 1;
      delete s.data.x;
    });
    assert.equal(setCookie, undefined);
    assert.equal(store.size, 0);
  });

  it("explicit commit then the final commit write once", async () => {
    const { manager, store } = setup();
    const session = await manager.load({ cookieHeader: undefined, secure: false });
    session.data.a = 1;
    await session.commit();
    const cookie = await manager.commit(session);
    assert.ok(cookie?.startsWith("tessera="));
    assert.equal(store.size, 1);
  });

  it("regenerate of a session whose data was then emptied kills the old one and stores nothing", async () => {
    const { store, request } = setup();
    await request((s) => void (s.data.a = 1));
    assert.equal(store.size, 1);
    const { setCookie } = await request(async (s) => {
      await s.regenerate();
      s.data = {};
    });
    assert.equal(store.size, 0);
    assert.match(setCookie!, /Max-Age=0/);
  });

  it("a regenerate racing a destroy does not bring the session back", async () => {
    const { manager, store, request, getCookie } = setup();
    await request((s) => void (s.data.a = 1));
    const cookieHeader = `tessera=${getCookie()}`;
    const racing = await manager.load({ cookieHeader, secure: false });
    const logout = await manager.load({ cookieHeader, secure: false });
    await logout.destroy();
    await manager.commit(logout);
    await racing.regenerate();
    racing.data.user = "mallory";
    const setCookie = await manager.commit(racing);
    assert.equal(store.size, 0, "nothing created from a destroyed session");
    assert.match(setCookie!, /Max-Age=0/);
  });

  it("drops a corrupt stored field instead of failing the request", async () => {
    const { store, request, manager } = setup();
    const { session } = await request((s) => void Object.assign(s.data, { good: 1, bad: 2 }));
    await store.write(session.id!, { kind: "update", set: [["bad", "{not json"]], del: [], ttlMs: 60_000 }, manager.options.clock.now());
    const { session: loaded } = await request();
    assert.deepEqual(loaded.data, { good: 1 });
  });

  it("rejects replacing data with a non-object", async () => {
    const { request } = setup();
    await request((s) => {
      assert.throws(() => (s.data = null as never), TypeError);
      s.data = { replaced: true };
      assert.deepEqual(s.data, { replaced: true });
    });
  });

  it("signs cookies with the first secret when secrets are set", async () => {
    const { request, getCookie } = setup({ secrets: [SECRET] });
    await request((s) => void (s.data.a = 1));
    assert.match(getCookie()!, /^[\w-]{43}\.[\w-]{43}$/);
    assert.equal((await request()).session.data.a, 1);
  });
});
