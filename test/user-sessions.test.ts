import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createSessionManager,
  DEFAULT_MAX_SESSIONS_PER_USER,
  INDEX_GRACE_MS,
  LEASE_FIELD,
  SessionConfigError,
  SessionStoreError,
  USER_ID_FIELD,
  type SessionManager,
  type SessionManagerOptions,
  type SessionStore,
} from "tessera-session";
import { memoryStore, type MemoryStore } from "tessera-session/memory";
import { fakeClock, type FakeClock } from "tessera-session/testing";
import { sessionClient, type SessionClient } from "./support/session-client.js";

// The manager-level behaviour of binding, listing and revoking, on the
// memory store with a fake clock (the Redis specifics live in
// user-sessions-redis.test.ts).

type Data = { name: string; cart: string[] };

function setup(options: Partial<SessionManagerOptions> = {}): { manager: SessionManager<Data>; store: MemoryStore; clock: FakeClock } {
  const clock = fakeClock();
  const store = memoryStore();
  const manager = createSessionManager<Data>({ store, clock, idleTimeoutSeconds: 60, absoluteTimeoutSeconds: 3600, ...options });
  return { manager, store, clock };
}

/** Logs a browser in as `userId` the recommended way: regenerate + bind, one commit. */
async function login(manager: SessionManager<Data>, client: SessionClient, userId: string, label = "test browser"): Promise<string> {
  const session = await client.request(manager, async (s) => {
    await s.regenerate();
    await s.bindUser(userId, { label, ip: "127.0.0.1", userAgent: "node:test" });
    s.data.name = userId;
  });
  assert.ok(session.id, "logged-in session is stored");
  return session.id;
}

describe("binding a session to a user", () => {
  it("binds at login together with regenerate, and lists the session with its device facts", async () => {
    const { manager, clock } = setup();
    const browser = sessionClient();
    await browser.request(manager, (s) => void (s.data.cart = ["apple"])); // anonymous session with a cart
    const anonymousId = (await browser.request(manager)).id;
    clock.advance(5_000);
    const id = await login(manager, browser, "ada", "Firefox on macOS");
    assert.notEqual(id, anonymousId, "login regenerated the session");

    const session = await browser.request(manager);
    assert.equal(session.userId, "ada");
    assert.deepEqual(session.data.cart, ["apple"], "data kept across the login");

    const list = await manager.listUserSessions("ada", { currentId: id });
    assert.equal(list.length, 1);
    const [entry] = list;
    assert.equal(entry!.id, id);
    assert.equal(entry!.current, true);
    assert.equal(entry!.label, "Firefox on macOS");
    assert.equal(entry!.ip, "127.0.0.1");
    assert.equal(entry!.userAgent, "node:test");
    assert.equal(entry!.boundAt, clock.now());
    assert.ok(entry!.createdAt < entry!.boundAt, "createdAt is the anonymous session's creation");
    assert.ok(entry!.expiresAt > clock.now());
    assert.ok(!JSON.stringify(list).includes(browser.cookie!.slice(0, 43)), "the token never appears in a listing");
  });

  it("stores a bound session even without data, and keeps the binding across a later regenerate", async () => {
    const { manager } = setup();
    const browser = sessionClient();
    const first = await browser.request(manager, (s) => s.bindUser("grace"));
    assert.ok(first.id, "binding alone is worth storing");
    const second = await browser.request(manager, (s) => s.regenerate());
    assert.notEqual(second.id, first.id);
    assert.equal((await browser.request(manager)).userId, "grace");
    assert.deepEqual((await manager.listUserSessions("grace")).map((s) => s.id), [second.id], "the old id left the index");
  });

  it("moves the session between indexes when it is bound to another user", async () => {
    const { manager } = setup();
    const browser = sessionClient();
    await login(manager, browser, "ada");
    const id = (await browser.request(manager, (s) => s.bindUser("bob"))).id!;
    assert.deepEqual(await manager.listUserSessions("ada"), []);
    assert.deepEqual((await manager.listUserSessions("bob")).map((s) => s.id), [id]);
  });

  it("removes the session from the index on destroy (logout)", async () => {
    const { manager, store, clock } = setup();
    const browser = sessionClient();
    await login(manager, browser, "ada");
    await browser.request(manager, (s) => s.destroy());
    assert.equal(browser.cookie, undefined, "cookie cleared");
    assert.deepEqual(await store.userIndex.entries("ada", clock.now()), [], "no entry left behind");
  });

  it("cleans device facts: control characters stripped, lengths capped", async () => {
    const { manager } = setup();
    const browser = sessionClient();
    await browser.request(manager, (s) =>
      s.bindUser("ada", { label: "evil\u001b[31mred\u0007", userAgent: "x".repeat(2000), ip: "  10.0.0.1\n" }),
    );
    const [entry] = await manager.listUserSessions("ada");
    assert.equal(entry!.label, "evil[31mred");
    assert.equal(entry!.userAgent!.length, 512);
    assert.equal(entry!.ip, "10.0.0.1");
  });

  it("rejects bad user ids and stores without an index", async () => {
    const { manager } = setup();
    const session = await manager.load({ cookieHeader: undefined, secure: false });
    assert.throws(() => session.bindUser(""), TypeError);
    assert.throws(() => session.bindUser(42 as unknown as string), TypeError);
    assert.throws(() => session.bindUser("x".repeat(513)), TypeError);
    await assert.rejects(manager.listUserSessions(""), TypeError, "a bad argument is not reported as a store failure");
    await assert.rejects(manager.revokeUserSessions(undefined as unknown as string), TypeError);

    const store = memoryStore();
    const bare: SessionStore = { load: store.load, write: store.write, destroy: store.destroy };
    const plain = createSessionManager({ store: bare });
    const plainSession = await plain.load({ cookieHeader: undefined, secure: false });
    assert.throws(() => plainSession.bindUser("ada"), SessionConfigError);
    await assert.rejects(plain.listUserSessions("ada"), SessionConfigError);
    assert.throws(() => createSessionManager({ store: bare, maxSessionsPerUser: 3 }), SessionConfigError);
    assert.throws(() => createSessionManager({ store, maxSessionsPerUser: 0 }), SessionConfigError);
    assert.throws(() => createSessionManager({ store, maxSessionsPerUser: 2.5 }), SessionConfigError);
  });
});

describe("binding rotates the token (session fixation)", () => {
  it("a planted pre-login cookie does not read the session after a login that only calls bindUser", async () => {
    const { manager } = setup();
    const attacker = sessionClient();
    await attacker.request(manager, (s) => void (s.data.name = "bait")); // the attacker gets a stored anonymous session
    const planted = attacker.cookie!;
    // The victim's browser carries the planted cookie and logs in; the app forgets regenerate().
    await manager.load({ cookieHeader: `tessera=${planted}`, secure: false }).then(async (session) => {
      assert.equal(session.data.name, "bait", "the victim's request really uses the planted session");
      await session.bindUser("ada");
      const setCookie = await manager.commit(session);
      assert.ok(setCookie && !setCookie.startsWith(`tessera=${planted}`), "the login sends a new token");
    });
    const replay = await attacker.request(manager);
    assert.equal(replay.userId, undefined, "the planted token is not logged in");
    assert.equal(replay.data.name, undefined, "and reads nothing: the pre-login token is dead");
  });

  it("rotates once when regenerate() and bindUser() are both called, and keeps the data", async () => {
    const { manager, store } = setup();
    const browser = sessionClient();
    const anonymous = (await browser.request(manager, (s) => void (s.data.cart = ["apple"]))).id!;
    const session = await browser.request(manager, async (s) => {
      await s.regenerate();
      await s.bindUser("ada");
      await s.regenerate(); // idempotent before the commit
    });
    assert.notEqual(session.id, anonymous);
    assert.equal(store.size, 1, "one new record, the old one deleted: one rotation");
    assert.deepEqual((await browser.request(manager)).data.cart, ["apple"]);
  });
});

describe("revoking", () => {
  it("revokes one session by public id: its next request is anonymous, the other device is untouched", async () => {
    const { manager } = setup();
    const [laptop, phone] = [sessionClient(), sessionClient()];
    const laptopId = await login(manager, laptop, "ada", "laptop");
    const phoneId = await login(manager, phone, "ada", "phone");
    assert.equal((await manager.listUserSessions("ada")).length, 2);

    assert.equal(await manager.revokeSession(phoneId, { userId: "mallory" }), false, "only the owner's sessions");
    assert.equal(await manager.revokeSession(phoneId, { userId: undefined }), false, "a logged-out caller revokes nothing");
    assert.equal(await manager.revokeSession(phoneId, { userId: "ada" }), true);
    assert.equal(await manager.revokeSession(phoneId, { userId: "ada" }), false, "already gone");

    const phoneAfter = await phone.request(manager);
    assert.equal(phoneAfter.userId, undefined, "revoked: anonymous on its next request");
    assert.equal(phoneAfter.data.name, undefined);
    assert.equal(phone.cookie, undefined, "its cookie is cleared");
    assert.equal((await laptop.request(manager)).userId, "ada");
    assert.deepEqual((await manager.listUserSessions("ada")).map((s) => s.id), [laptopId]);
  });

  it("a request already in flight cannot write a revoked session back", async () => {
    const { manager, store } = setup();
    const browser = sessionClient();
    const id = await login(manager, browser, "ada");
    const inFlight = await manager.load({ cookieHeader: `tessera=${browser.cookie}`, secure: false });
    assert.equal(await manager.revokeSession(id), true);
    inFlight.data.name = "written after the revoke";
    const setCookie = await manager.commit(inFlight);
    assert.match(setCookie ?? "", /^tessera=;/, "the in-flight request clears the cookie");
    assert.equal(store.peek(id), undefined, "not recreated");
    assert.deepEqual(await manager.listUserSessions("ada"), []);
  });

  it("logs out everywhere else, keeping the current session", async () => {
    const { manager } = setup();
    const browsers = [sessionClient(), sessionClient(), sessionClient()];
    const ids: string[] = [];
    for (const browser of browsers) ids.push(await login(manager, browser, "ada"));
    const other = sessionClient();
    await login(manager, other, "bob");

    const revoked = await manager.revokeUserSessions("ada", { exceptId: ids[0] });
    assert.deepEqual(revoked.sort(), [ids[1], ids[2]].sort());
    assert.equal((await browsers[0]!.request(manager)).userId, "ada");
    assert.equal((await browsers[1]!.request(manager)).userId, undefined);
    assert.equal((await browsers[2]!.request(manager)).userId, undefined);
    assert.equal((await other.request(manager)).userId, "bob", "another user's sessions are untouched");

    assert.deepEqual(await manager.revokeUserSessions("ada"), [ids[0]], "and then everywhere");
    assert.deepEqual(await manager.listUserSessions("ada"), []);
    assert.deepEqual(await manager.revokeUserSessions("nobody"), []);
  });
});

describe("maxSessionsPerUser", () => {
  it(`defaults to ${DEFAULT_MAX_SESSIONS_PER_USER}, takes false for no limit, and explains a bad value`, () => {
    assert.equal(setup().manager.options.maxSessionsPerUser, DEFAULT_MAX_SESSIONS_PER_USER);
    assert.equal(DEFAULT_MAX_SESSIONS_PER_USER, 100);
    assert.equal(setup({ maxSessionsPerUser: false }).manager.options.maxSessionsPerUser, undefined);
    assert.equal(setup({ maxSessionsPerUser: 3 }).manager.options.maxSessionsPerUser, 3);
    assert.throws(() => setup({ maxSessionsPerUser: true as unknown as number }), /or false for no limit/);
    const store = memoryStore();
    const bare: SessionStore = { load: store.load, write: store.write, destroy: store.destroy };
    assert.equal(createSessionManager({ store: bare }).options.maxSessionsPerUser, undefined, "no default cap without an index");
  });

  it("caps one user's sessions by default: many logins keep the index near the cap", async () => {
    const { manager, store, clock } = setup();
    for (let i = 0; i < DEFAULT_MAX_SESSIONS_PER_USER + 20; i++) {
      clock.advance(1);
      await login(manager, sessionClient(), "ada");
    }
    assert.equal((await manager.listUserSessions("ada")).length, DEFAULT_MAX_SESSIONS_PER_USER);
    assert.ok((await store.userIndex.entries("ada", clock.now())).length <= DEFAULT_MAX_SESSIONS_PER_USER);
  });

  it("evicts the oldest sign-ins at login, never the session logging in", async () => {
    const { manager, clock } = setup({ maxSessionsPerUser: 2 });
    const browsers = [sessionClient(), sessionClient(), sessionClient(), sessionClient()];
    const ids: string[] = [];
    for (const browser of browsers) {
      clock.advance(1000);
      ids.push(await login(manager, browser, "ada"));
    }
    const listed = (await manager.listUserSessions("ada")).map((s) => s.id).sort();
    assert.deepEqual(listed, [ids[2], ids[3]].sort(), "the two most recent sign-ins remain");
    assert.equal((await browsers[0]!.request(manager)).userId, undefined, "evicted sessions are logged out");
    assert.equal((await browsers[1]!.request(manager)).userId, undefined);
    assert.equal((await browsers[3]!.request(manager)).userId, "ada");
  });

  it("does not count dead sessions against the limit", async () => {
    const { manager, clock } = setup({ maxSessionsPerUser: 1 });
    const [old, fresh] = [sessionClient(), sessionClient()];
    await login(manager, old, "ada");
    clock.advance(61_000); // the first session idles out, but its index entry's lease has not ended
    const id = await login(manager, fresh, "ada");
    assert.deepEqual((await manager.listUserSessions("ada")).map((s) => s.id), [id]);
  });
});

describe("listing in pages", () => {
  it("pages a user's sessions with limit and cursor, each page bounded, together all of them", async () => {
    const { manager, clock } = setup({ maxSessionsPerUser: false });
    const ids = new Set<string>();
    for (let i = 0; i < 25; i++) {
      clock.advance(10);
      ids.add(await login(manager, sessionClient(), "ada"));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await manager.listUserSessionPage("ada", { limit: 10, cursor });
      assert.ok(page.sessions.length <= 10);
      seen.push(...page.sessions.map((s) => s.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 10);
    assert.equal(pages, 3);
    assert.deepEqual(new Set(seen), ids, "every session exactly once");
    assert.equal(seen.length, ids.size);
    assert.equal((await manager.listUserSessions("ada", { limit: 5 })).length, 5);
    assert.equal((await manager.listUserSessions("ada")).length, 25, "the default page holds up to 100");
    await assert.rejects(manager.listUserSessions("ada", { limit: 1001 }), TypeError);
    await assert.rejects(manager.listUserSessions("ada", { limit: 0 }), TypeError);
    await assert.rejects(manager.listUserSessionPage("ada", { cursor: "-1" }), TypeError);
  });

  it("revokes every session of a user with many, in bounded batches", async () => {
    const { manager, store, clock } = setup({ maxSessionsPerUser: false });
    const ids: string[] = [];
    for (let i = 0; i < 1200; i++) ids.push(await login(manager, sessionClient(), "ada"));
    const revoked = await manager.revokeUserSessions("ada");
    assert.equal(revoked.length, 1200);
    assert.ok(ids.every((id) => store.peek(id) === undefined), "all dead");
    assert.deepEqual(await store.userIndex.entries("ada", clock.now()), []);
  });
});

describe("the index over time", () => {
  it("keeps an active session listed across many idle timeouts: the lease is extended, renewals never outrun it", async () => {
    const { manager, store, clock } = setup({ idleTimeoutSeconds: 60, renewIntervalSeconds: 10, absoluteTimeoutSeconds: false });
    const browser = sessionClient();
    const id = await login(manager, browser, "ada");
    let extensions = 0;
    let lease = Number(store.peek(id)!.get(LEASE_FIELD));
    for (let step = 0; step < 60; step++) {
      clock.advance(15_000); // 15 minutes of activity, one request each 15 s
      const session = await browser.request(manager);
      assert.equal(session.userId, "ada", `still logged in at step ${step}`);
      const nowLease = Number(store.peek(id)!.get(LEASE_FIELD));
      if (nowLease !== lease) extensions++;
      lease = nowLease;
      const [entry] = await store.userIndex.entries("ada", clock.now());
      assert.ok(entry && entry.leaseEnd >= session.expiresAt!, "the index entry outlives the session");
      assert.equal(entry.leaseEnd, lease + INDEX_GRACE_MS);
    }
    // 900 s of activity with a 120 s lease extended when under 60 s remain: about once a minute.
    assert.ok(extensions >= 10 && extensions <= 16, `${extensions} lease extensions`);
  });

  it("drops sessions that expire without traffic: hidden at once, pruned when their lease ends", async () => {
    const { manager, store, clock } = setup({ idleTimeoutSeconds: 60 });
    for (let i = 0; i < 3; i++) await login(manager, sessionClient(), "ada");
    assert.equal((await manager.listUserSessions("ada")).length, 3);
    clock.advance(61_000);
    assert.deepEqual(await manager.listUserSessions("ada"), [], "expired sessions are never listed");
    assert.deepEqual(await store.userIndex.entries("ada", clock.now()), [], "and the listing dropped their entries");

    for (let i = 0; i < 3; i++) await login(manager, sessionClient(), "bob");
    clock.advance(120_000 + INDEX_GRACE_MS + 1); // past the lease, with no request at all
    assert.deepEqual(await store.userIndex.entries("bob", clock.now()), []);
  });

  it("a bound session whose index entry was lost cannot outlive its lease", async () => {
    const { manager, store, clock } = setup({ idleTimeoutSeconds: 60, renewIntervalSeconds: 10 });
    const browser = sessionClient();
    const id = await login(manager, browser, "ada");
    await store.userIndex.remove("ada", [id]); // as if the index write had been lost
    // Without the commit that extends the lease (it re-adds the entry), renewals stop at the lease:
    const lease = Number(store.peek(id)!.get(LEASE_FIELD));
    for (let t = 0; t < 12; t++) {
      clock.advance(10_000);
      const session = await manager.load({ cookieHeader: `tessera=${browser.cookie}`, secure: false });
      if (session.userId === undefined) break;
      assert.ok(session.expiresAt! <= lease);
    }
    assert.ok(clock.now() <= lease + 10_000);
    assert.equal(store.peek(id), undefined, "dead at its lease");
  });
});

describe("failures between the session write and the index write", () => {
  it("a login whose index write fails keeps no session and reports a store error", async () => {
    const clock = fakeClock();
    const store = memoryStore();
    let failIndex = false;
    const flaky: SessionStore = {
      load: store.load,
      write: store.write,
      destroy: store.destroy,
      userIndex: {
        ...store.userIndex,
        add: (...args) => (failIndex ? Promise.reject(new Error("index unavailable")) : store.userIndex.add(...args)),
      },
    };
    const manager = createSessionManager<Data>({ store: flaky, clock });
    const browser = sessionClient();
    await browser.request(manager, (s) => void (s.data.cart = []));
    failIndex = true;
    await assert.rejects(login(manager, browser, "ada"), SessionStoreError);
    assert.equal(store.size, 0, "neither the new session nor the replaced one is left");
    failIndex = false;
    assert.equal((await browser.request(manager)).userId, undefined);
  });

  it("an index entry whose session write never landed is never listed, and is dropped", async () => {
    const { manager, store, clock } = setup();
    await store.userIndex.add("ada", "dangling-id", clock.now() + 100_000, clock.now());
    const other = sessionClient();
    await login(manager, other, "mallory");
    const malloryId = (await other.request(manager)).id!;
    await store.userIndex.add("ada", malloryId, clock.now() + 100_000, clock.now()); // entry pointing at someone else's session
    assert.deepEqual(await manager.listUserSessions("ada"), []);
    assert.deepEqual(await store.userIndex.entries("ada", clock.now()), []);
    assert.deepEqual(await manager.revokeUserSessions("ada"), [], "nor revoked under the wrong user");
    assert.equal(store.peek(malloryId)?.get(USER_ID_FIELD), "mallory");
  });
});
