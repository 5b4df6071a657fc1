/**
 * Flash messages and same-key atomic updates in the core, with the memory
 * store and a fake clock: what a flash costs and where it lives, the
 * rules of increment and compareAndSet (local on a new session, refused on
 * a pending change, under encryptData, on a read-only or unavailable
 * session, past the size limit), and that none of them brings a dead
 * session back. The concurrent and cross-instance cases run on Redis, over
 * HTTP, in flash-atomic-redis.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AtomicUpdateError,
  createSessionManager,
  SessionConfigError,
  SessionKeyError,
  SessionRetiredError,
  SessionTooLargeError,
  type Session,
  type SessionManagerOptions,
  type SessionStore,
} from "tessera-session";
import { memoryStore, type MemoryStore } from "tessera-session/memory";
import { fakeClock } from "tessera-session/testing";

type Data = Record<string, unknown>;

function setup(options: Partial<SessionManagerOptions> = {}, store: MemoryStore = memoryStore()) {
  const clock = fakeClock();
  const manager = createSessionManager<Data>({ store, clock, ...options });
  let cookie: string | undefined;
  /** One request with the current cookie: run the handler, commit (discarding when `failed`), keep the new cookie. */
  async function request<T>(handler: (session: Session<Data>) => T | Promise<T>, failed = false, sent = cookie) {
    const session = await manager.load({ cookieHeader: sent ? `tessera=${sent}` : undefined, secure: false });
    const result = await handler(session);
    const setCookie = await manager.commit(session, { failed });
    if (setCookie && !failed) cookie = /Max-Age=0/.test(setCookie) ? undefined : setCookie.slice("tessera=".length, setCookie.indexOf(";"));
    return { session, result };
  }
  const record = (session: Session<Data>) => store.peek(session.id!);
  return { clock, store, manager, request, record, cookie: () => cookie };
}

describe("flash messages", () => {
  it("stores a flash with the commit, reads it once on a later request, never in data", async () => {
    const { request, record } = setup();
    const { session } = await request((s) => s.flash("notice", { text: "Saved" }));
    assert.equal(record(session)?.get("@f:notice"), '{"text":"Saved"}', "stored as the reserved @f: field");
    const { result: first, session: later } = await request(async (s) => {
      assert.deepEqual({ ...s.data }, {}, "never in session.data");
      return s.takeFlash("notice");
    });
    assert.deepEqual(first, { text: "Saved" });
    assert.equal(record(later)?.has("@f:notice"), false, "gone from the store");
    assert.equal((await request((s) => s.takeFlash("notice"))).result, undefined, "read once");
  });

  it("a new session with only a flash is stored; a flash taken in the request that set it is never stored", async () => {
    const { request, store } = setup();
    const { session } = await request((s) => s.flash("notice", "hi"));
    assert.equal(session.isNew, false, "flashing an anonymous visitor stores the session (it must reach the next request)");
    const before = store.size;
    const { result } = await request(async (s) => {
      s.flash("local", 1);
      return s.takeFlash("local");
    });
    assert.equal(result, 1);
    assert.equal(store.size, before);
  });

  it("takeFlashes takes every flash, staged and stored, by key", async () => {
    const { request, record } = setup();
    await request((s) => {
      s.flash("a", 1);
      s.flash("b", "two");
    });
    const { result, session } = await request((s) => {
      s.flash("c", true);
      return s.takeFlashes();
    });
    assert.deepEqual(result, { a: 1, b: "two", c: true });
    assert.deepEqual([...record(session)!.keys()].filter((field) => field.startsWith("@f:")), []);
    assert.deepEqual((await request((s) => s.takeFlashes())).result, {});
  });

  it("a flash set during a failed request is dropped with its other changes", async () => {
    const { request, record } = setup();
    const { session } = await request((s) => void (s.data.user = "ada"));
    await request((s) => s.flash("notice", "lost"), true);
    assert.equal(record(session)?.has("@f:notice"), false);
  });

  it("a flash taken by a failed request is put back, unless a newer one of the key was set meanwhile", async () => {
    const { request, record, cookie } = setup();
    const { session } = await request((s) => {
      s.flash("kept", "back");
      s.flash("replaced", "old");
    });
    const sent = cookie();
    await request(async (s) => {
      assert.equal(await s.takeFlash("kept"), "back");
      assert.equal(await s.takeFlash("replaced"), "old");
      // Another request sets a newer flash of one key while this one fails.
      await request((other) => other.flash("replaced", "new"), false, sent);
    }, true);
    assert.equal(record(session)?.get("@f:kept"), '"back"', "not lost");
    assert.equal(record(session)?.get("@f:replaced"), '"new"', "the newer flash wins");
  });

  it("a flash taken by a failed login (its regenerate discarded) goes back to the session the cookie still names", async () => {
    const { request } = setup();
    await request((s) => s.flash("notice", "please sign in"));
    await request(async (s) => {
      assert.equal(await s.takeFlash("notice"), "please sign in");
      await s.regenerate();
    }, true);
    assert.equal((await request((s) => s.takeFlash("notice"))).result, "please sign in");
  });

  it("costs no store call when the loaded session holds no flash of the key", async () => {
    const store = memoryStore();
    let takes = 0;
    const counted: SessionStore = { ...store, atomicFields: { ...store.atomicFields!, take: (...args) => (takes++, store.atomicFields!.take(...args)) } };
    const { request } = setup({ store: counted }, store);
    await request((s) => void (s.data.user = "ada"));
    assert.equal((await request((s) => s.takeFlash("notice"))).result, undefined);
    assert.deepEqual((await request((s) => s.takeFlashes())).result, {});
    assert.equal(takes, 0);
    await request((s) => s.flash("notice", "x"));
    await request((s) => s.takeFlash("notice"));
    assert.equal(takes, 1);
  });

  it("a regenerate (login) keeps the untaken flashes and the ones set with it", async () => {
    const { request } = setup();
    await request((s) => s.flash("before", "please sign in"));
    await request(async (s) => {
      await s.regenerate();
      s.flash("after", "welcome");
    });
    assert.deepEqual((await request((s) => s.takeFlashes())).result, { before: "please sign in", after: "welcome" });
  });

  it("is sealed like data with encryptData, and opens again", async () => {
    const { request, record } = setup({ encryptData: true });
    const { session } = await request((s) => s.flash("notice", "secret text"));
    assert.match(record(session)!.get("@f:notice")!, /^~1/, "sealed");
    assert.equal((await request((s) => s.takeFlash("notice"))).result, "secret text");
  });

  it("refuses bad keys and values at once, an oversize flash, a read-only session; a store without support", async () => {
    const { request } = setup({ maxSessionBytes: 1024 });
    await request((s) => {
      assert.throws(() => s.flash("@x", 1), SessionKeyError);
      assert.throws(() => s.flash("when", new Date()), /cannot be stored/);
      assert.throws(() => s.flash("none", undefined), TypeError);
      assert.throws(() => s.flash("big", "x".repeat(2000)), SessionTooLargeError);
    });
    const bare = memoryStore() as SessionStore;
    const { atomicFields: _, ...withoutFields } = bare;
    const plain = setup({ store: withoutFields as SessionStore });
    await plain.request((s) => assert.throws(() => s.flash("notice", 1), SessionConfigError));
  });

  it("refuses a flash on a read-only (retired) session, which takes none either", async () => {
    const { request, cookie } = setup({ regenerateGraceSeconds: 5 });
    await request((s) => s.flash("notice", "still here"));
    const old = cookie();
    await request(async (s) => void (await s.regenerate()), false, old);
    await request(async (s) => {
      assert.equal(s.readOnly, true);
      assert.throws(() => s.flash("x", 1), SessionRetiredError);
      assert.equal(await s.takeFlash("notice"), undefined, "the new token holds it");
    }, false, old);
    assert.equal((await request((s) => s.takeFlash("notice"))).result, "still here");
  });
});

describe("increment and compareAndSet", () => {
  it("increment: one store step, the sum in data, the commit leaves the key alone", async () => {
    const { request, record } = setup();
    await request((s) => void (s.data.visits = 1));
    const { session, result } = await request(async (s) => {
      const sum = await s.increment("visits", 2);
      assert.equal(s.data.visits, 3);
      return sum;
    });
    assert.equal(result, 3);
    assert.equal(record(session)?.get("visits"), "3");
    assert.equal((await request((s) => s.increment("visits"))).result, 4, "by defaults to 1");
  });

  it("applies locally on a new session (no other request holds its token), then stores with the commit", async () => {
    const { request, record } = setup();
    const { session, result } = await request(async (s) => {
      await s.increment("n");
      assert.equal(await s.compareAndSet("state", undefined, "a"), true);
      assert.equal(await s.compareAndSet("state", "b", "c"), false);
      return s.increment("n", 4);
    });
    assert.equal(result, 5);
    assert.equal(record(session)?.get("n"), "5");
    assert.equal(record(session)?.get("state"), '"a"');
  });

  it("compareAndSet: sets on a match, shows the stored value on a mismatch, deletes with undefined", async () => {
    const { request, record } = setup();
    await request((s) => void (s.data.state = { step: 1 }));
    const { session } = await request(async (s) => {
      assert.equal(await s.compareAndSet("state", { step: 2 }, { step: 3 }), false);
      assert.deepEqual(s.data.state, { step: 1 });
      assert.equal(await s.compareAndSet("state", { step: 1 }, { step: 2 }), true);
      assert.deepEqual(s.data.state, { step: 2 });
      assert.equal(await s.compareAndSet("gone", undefined, undefined), true, "absent stays absent");
    });
    assert.equal(record(session)?.get("state"), '{"step":2}');
    await request(async (s) => assert.equal(await s.compareAndSet("state", { step: 2 }, undefined), true));
    assert.equal(record(session)?.has("state"), false);
  });

  it("refuses a non-integer by, a non-integer stored value, a pending change, encryptData, a read-only session", async () => {
    const { request } = setup();
    await request((s) => void (s.data.name = "ada"));
    await request(async (s) => {
      await assert.rejects(s.increment("n", 1.5), TypeError);
      await assert.rejects(s.increment("n", Number.NaN), TypeError);
      await assert.rejects(s.increment("name"), (error: unknown) => error instanceof AtomicUpdateError && error.reason === "not-integer");
      s.data.n = 7;
      await assert.rejects(s.increment("n"), (error: unknown) => error instanceof AtomicUpdateError && error.reason === "pending-change");
      await assert.rejects(s.compareAndSet("n", 7, 8), (error: unknown) => error instanceof AtomicUpdateError && error.reason === "pending-change");
      await assert.rejects(s.increment("@c"), SessionKeyError);
    });
    const sealed = setup({ encryptData: true });
    await sealed.request(async (s) => {
      await assert.rejects(s.increment("n"), (error: unknown) => error instanceof AtomicUpdateError && error.reason === "encrypted");
      await assert.rejects(s.compareAndSet("n", undefined, 1), (error: unknown) => error instanceof AtomicUpdateError && error.reason === "encrypted");
    });
    const graced = setup({ regenerateGraceSeconds: 5 });
    await graced.request((s) => void (s.data.n = 1));
    const old = graced.cookie();
    await graced.request(async (s) => void (await s.regenerate()));
    await graced.request(async (s) => {
      await assert.rejects(s.increment("n"), SessionRetiredError);
      await assert.rejects(s.compareAndSet("n", 1, 2), SessionRetiredError);
    }, false, old);
  });

  it("update: a read-modify-write retried from the stored value when another request changed the key first", async () => {
    const { request, cookie } = setup();
    await request((s) => void (s.data.tags = ["a"]));
    const sent = cookie();
    const { result } = await request(async (s) => {
      await request(async (other) => void (await other.update<string[]>("tags", (tags = []) => [...tags, "b"])), false, sent);
      await assert.rejects(s.update<string[]>("tags", (tags = []) => [...tags, "c"], { attempts: 1 }), (error: unknown) => error instanceof AtomicUpdateError && error.reason === "contended");
      assert.deepEqual(s.data.tags, ["a", "b"], "the data shows what the other request stored");
      return s.update<string[]>("tags", (tags = []) => [...tags, "c"]);
    });
    assert.deepEqual(result, ["a", "b", "c"]);
    assert.deepEqual((await request((s) => s.data.tags)).result, ["a", "b", "c"], "stored, none lost");
    await request((s) => assert.rejects(s.update("tags", (tags) => tags, { attempts: 0 }), RangeError));
  });

  it("refuses a value past maxSessionBytes before any store call", async () => {
    const { request, record } = setup({ maxSessionBytes: 1024 });
    const { session } = await request((s) => void (s.data.note = "short"));
    await request((s) => assert.rejects(s.compareAndSet("note", "short", "x".repeat(2000)), SessionTooLargeError));
    assert.equal(record(session)?.get("note"), '"short"');
  });

  it("never recreates a destroyed session: the op fails as gone and the handle is a new one", async () => {
    const { request, store } = setup();
    const { session } = await request((s) => void (s.data.n = 1));
    const id = session.id!;
    await request(async (s) => {
      await store.destroy(id); // another request logged out meanwhile
      await assert.rejects(s.increment("n"), (error: unknown) => error instanceof AtomicUpdateError && error.reason === "gone");
      assert.equal(s.isNew, true);
      assert.equal(await s.takeFlash("n"), undefined);
    });
    assert.equal(store.peek(id), undefined, "not brought back");
    assert.equal(store.size, 0, "nor a new session created");
  });

  it("never writes to a tombstone (log out everywhere met the session)", async () => {
    const { request, store } = setup();
    const { session } = await request(async (s) => {
      await s.bindUser("ada");
      s.data.n = 1;
      s.flash("notice", "x");
    });
    const id = session.id!;
    await request(async (s) => {
      const entry = { id, leaseEnd: Date.now() + 3_600_000 };
      await store.userIndex.revokeEntry("ada", entry, 0);
      assert.equal(await store.userIndex.revokeEntry("ada", entry, 0), "absent", "a tombstone now");
      await assert.rejects(s.compareAndSet("n", 1, 2), (error: unknown) => error instanceof AtomicUpdateError && error.reason === "gone");
    });
    assert.equal(store.peek(id), undefined);
  });

  it("an unavailable session refuses them with the store error, and shows no flash", async () => {
    const store = memoryStore();
    const real = setup({}, store);
    await real.request((s) => {
      s.data.n = 1;
      s.flash("x", 1);
    });
    const failing: SessionStore = { ...store, load: () => Promise.reject(new Error("down")) };
    const session = await createSessionManager<Data>({ store: failing, storeOutage: "anonymous" }).load({ cookieHeader: `tessera=${real.cookie()}`, secure: false });
    assert.equal(session.unavailable, true);
    await assert.rejects(session.increment("n"), /down/);
    await assert.rejects(session.compareAndSet("n", 1, 2), /down/);
    assert.throws(() => session.flash("x", 2), /down/);
    assert.equal(await session.takeFlash("x"), undefined);
  });
});
