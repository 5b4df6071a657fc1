/**
 * Issue 16, part 2, with the memory store and a fake clock: per-session
 * expiry ("keep me signed in"), a regenerate's grace window, and step-up
 * (`authenticatedWithin`). The Redis side, with real concurrency, is in
 * test/regenerate-grace-redis.test.ts; the store rules in the conformance suite.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createSessionManager,
  EXPIRY_FIELD,
  AUTHENTICATED_AT_FIELD,
  SessionConfigError,
  SessionRetiredError,
  type Session,
  type SessionManagerOptions,
} from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { fakeClock } from "tessera-session/testing";

type Data = Record<string, unknown>;
const DAY = 24 * 3600;

function setup(options: Partial<SessionManagerOptions> = {}) {
  const clock = fakeClock();
  const store = memoryStore();
  const manager = createSessionManager<Data>({ store, clock, ...options });
  /** One request with `cookie` (a token value or none): load, run the handler, commit. */
  async function request(cookie: string | undefined, handler: (session: Session<Data>) => unknown = () => undefined) {
    const session = await manager.load({ cookieHeader: cookie === undefined ? undefined : `tessera=${cookie}`, secure: false });
    await handler(session);
    const setCookie = await manager.commit(session);
    const value = setCookie === undefined || /Max-Age=0/.test(setCookie) ? undefined : setCookie.slice("tessera=".length, setCookie.indexOf(";"));
    return { session, setCookie, cookie: value };
  }
  return { clock, store, manager, request };
}

describe("per-session expiry (session.setExpiry)", () => {
  const remember = { idleTimeoutSeconds: 30 * DAY, absoluteTimeoutSeconds: 90 * DAY, persistent: true };
  const options = { idleTimeoutSeconds: 1800, maxIdleTimeoutSeconds: 30 * DAY, maxAbsoluteTimeoutSeconds: 90 * DAY };

  it("gives one session 30 days of inactivity and a persistent cookie, renewed like any other, while others keep the defaults", async () => {
    const { clock, request } = setup(options);
    const login = await request(undefined, (s) => {
      s.data.user = "ada";
      s.setExpiry(remember);
    });
    assert.match(login.setCookie!, new RegExp(`Max-Age=${30 * DAY}`), "the cookie lasts as long as the session");
    assert.equal(login.session.expiresAt, clock.now() + 30 * DAY * 1000);
    const plain = await request(undefined, (s) => void (s.data.user = "bob"));
    assert.match(plain.setCookie!, /Max-Age=1800/, "a session without it keeps the manager's idle timeout");

    clock.advance(20 * DAY * 1000);
    const later = await request(login.cookie);
    assert.equal(later.session.data.user, "ada", "alive after 20 idle days");
    assert.match(later.setCookie!, new RegExp(`Max-Age=${30 * DAY}`), "renewed to its own idle timeout");
    assert.equal((await request(plain.cookie)).session.isNew, true, "the default session expired long ago");

    clock.advance(29 * DAY * 1000);
    assert.equal((await request(login.cookie)).session.data.user, "ada");
    clock.advance(42 * DAY * 1000); // 91 days after creation
    assert.equal((await request(login.cookie)).session.isNew, true, "its own absolute timeout still ends it");
  });

  it("keeps the expiry across regenerate(), and a browser-session cookie has no Max-Age", async () => {
    const { clock, request } = setup(options);
    const first = await request(undefined, (s) => {
      s.data.user = "ada";
      s.setExpiry({ idleTimeoutSeconds: 7 * DAY, absoluteTimeoutSeconds: 30 * DAY, persistent: false });
    });
    assert.doesNotMatch(first.setCookie!, /Max-Age|Expires/, "a browser-session cookie");
    const rotated = await request(first.cookie, (s) => s.regenerate());
    assert.notEqual(rotated.cookie, first.cookie);
    assert.doesNotMatch(rotated.setCookie!, /Max-Age/);
    assert.equal(rotated.session.expiresAt, clock.now() + 7 * DAY * 1000, "the regenerated session keeps its own idle timeout");
    clock.advance(6 * DAY * 1000);
    assert.equal((await request(rotated.cookie)).session.data.user, "ada");
  });

  it("shortens a session (a kiosk) and goes back to the defaults with null", async () => {
    const { clock, store, request } = setup({ idleTimeoutSeconds: 1800, renewIntervalSeconds: 60 });
    const kiosk = await request(undefined, (s) => {
      s.data.user = "kiosk";
      s.setExpiry({ idleTimeoutSeconds: 120 });
    });
    assert.match(kiosk.setCookie!, /Max-Age=120/);
    const back = await request(kiosk.cookie, (s) => s.setExpiry(null));
    assert.match(back.setCookie!, /Max-Age=1800/, "null: the manager's idle timeout, and the cookie follows");
    assert.equal(store.peek(back.session.id!)?.has(EXPIRY_FIELD), false, "the field is removed");
    const short = await request(back.cookie, (s) => s.setExpiry({ idleTimeoutSeconds: 120 }));
    assert.match(short.setCookie!, /Max-Age=120/, "shortening moves the expiry earlier at once");
    clock.advance(121_000);
    assert.equal((await request(short.cookie)).session.isNew, true, "and the session ends at it");
  });

  it("refuses settings past the manager's maximums, which default to its own timeouts", async () => {
    const { request } = setup({ idleTimeoutSeconds: 1800 });
    await request(undefined, (s) => {
      assert.throws(() => s.setExpiry({ idleTimeoutSeconds: 3600 }), /maxIdleTimeoutSeconds \(1800\)/);
      assert.throws(() => s.setExpiry({ absoluteTimeoutSeconds: 2 * DAY }), /maxAbsoluteTimeoutSeconds \(86400\)/);
      assert.throws(() => s.setExpiry({ absoluteTimeoutSeconds: false }), /maxAbsoluteTimeoutSeconds to be false/);
      assert.throws(() => s.setExpiry({ idleTimeoutSeconds: 30 }), /longer than the manager's renewIntervalSeconds/);
      assert.throws(() => s.setExpiry({ idleTimeoutSeconds: -1 }), TypeError);
      assert.throws(() => s.setExpiry({ idle: 5 } as never), /unknown setting "idle"/);
      s.setExpiry({ idleTimeoutSeconds: 900 }); // shorter is always allowed
    });
    assert.throws(() => createSessionManager({ store: memoryStore(), idleTimeoutSeconds: 1800, maxIdleTimeoutSeconds: 60 }), SessionConfigError);
    assert.throws(() => createSessionManager({ store: memoryStore(), maxAbsoluteTimeoutSeconds: 60 }), SessionConfigError);
    assert.throws(() => createSessionManager({ store: memoryStore(), regenerateGraceSeconds: 600 }), /regenerateGraceSeconds/);
  });

  it("cuts stored sessions to a lowered maximum at their next request", async () => {
    const clock = fakeClock();
    const store = memoryStore();
    const generous = createSessionManager<Data>({ store, clock, ...options });
    const session = await generous.load({ cookieHeader: undefined, secure: false });
    session.data.user = "ada";
    session.setExpiry(remember);
    const setCookie = (await generous.commit(session))!;
    const cookie = setCookie.slice("tessera=".length, setCookie.indexOf(";"));
    clock.advance(2 * 3600_000);
    const strict = createSessionManager<Data>({ store, clock, idleTimeoutSeconds: 1800, maxIdleTimeoutSeconds: 3600 });
    const loaded = await strict.load({ cookieHeader: `tessera=${cookie}`, secure: false });
    assert.equal(loaded.data.user, "ada");
    assert.equal(loaded.expiresAt, clock.now() + 3600_000, "renewed to the lowered maximum, not 30 days");
  });
});

describe("step-up (session.authenticatedWithin)", () => {
  it("is set by a login's regenerate() and by markAuthenticated(), stored, and ages with the clock", async () => {
    const { clock, store, request } = setup();
    const anonymous = await request(undefined, (s) => void (s.data.cart = []));
    assert.equal(anonymous.session.authenticatedAt, undefined);
    assert.equal(anonymous.session.authenticatedWithin(300), false, "never authenticated");
    const login = await request(anonymous.cookie, async (s) => {
      await s.regenerate();
      s.data.user = "ada";
    });
    assert.equal(login.session.authenticatedAt, clock.now());
    assert.equal(store.peek(login.session.id!)?.get(AUTHENTICATED_AT_FIELD), String(clock.now()));
    clock.advance(299_000);
    assert.equal((await request(login.cookie)).session.authenticatedWithin(300), true);
    clock.advance(2_000);
    const stale = await request(login.cookie);
    assert.equal(stale.session.authenticatedWithin(300), false, "five minutes have passed");
    await request(login.cookie, (s) => s.markAuthenticated()); // a re-entered password
    const fresh = await request(login.cookie);
    assert.equal(fresh.session.authenticatedWithin(300), true);
    assert.equal(fresh.session.id, login.session.id, "markAuthenticated does not rotate the token");
    assert.throws(() => fresh.session.authenticatedWithin(0), TypeError);
  });
});

describe("regenerate with a grace window", () => {
  it("lets the old token read, read-only, for the window, drops its writes, leaves the cookie alone, then kills it", async () => {
    const { clock, request } = setup({ regenerateGraceSeconds: 5 });
    const before = await request(undefined, (s) => void (s.data.user = "guest"));
    const login = await request(before.cookie, async (s) => {
      await s.regenerate();
      s.data.user = "ada";
    });
    const inFlight = await request(before.cookie, (s) => {
      assert.equal(s.readOnly, true);
      assert.equal(s.data.user, "guest", "the old token reads the session as it was");
      s.data.user = "mallory";
    });
    assert.equal(inFlight.setCookie, undefined, "no Set-Cookie: the browser keeps the new token");
    await assert.rejects(request(before.cookie, (s) => s.regenerate()), SessionRetiredError);
    await assert.rejects(request(before.cookie, (s) => s.destroy()), SessionRetiredError);
    assert.equal((await request(before.cookie)).session.data.user, "guest", "its write was dropped");
    assert.equal((await request(login.cookie)).session.data.user, "ada", "the new session is untouched");
    clock.advance(5_001);
    const late = await request(before.cookie);
    assert.equal(late.session.isNew, true, "after the window the old token is dead");
    assert.match(late.setCookie!, /Max-Age=0/);
  });

  it("drops the write of a request that loaded before the rotation and commits after it, without clearing the cookie", async () => {
    const { manager, request } = setup({ regenerateGraceSeconds: 5 });
    const before = await request(undefined, (s) => void (s.data.user = "guest"));
    const slow = await manager.load({ cookieHeader: `tessera=${before.cookie}`, secure: false });
    const login = await request(before.cookie, (s) => s.regenerate());
    slow.data.cart = ["late"];
    assert.equal(await manager.commit(slow), undefined, "nothing to tell the browser");
    assert.equal(slow.readOnly, true);
    assert.equal((await request(login.cookie)).session.data.cart, undefined, "never written to the new session");
  });

  it("is off by default: the old token is dead at the rotation", async () => {
    const { request } = setup();
    const before = await request(undefined, (s) => void (s.data.user = "guest"));
    await request(before.cookie, (s) => s.regenerate());
    const old = await request(before.cookie);
    assert.equal(old.session.isNew, true);
    assert.equal(old.session.readOnly, false);
    assert.match(old.setCookie!, /Max-Age=0/, "a request still carrying the old token is logged out");
  });
});
