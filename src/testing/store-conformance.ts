import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type SessionStore, type UserIndexStore } from "../core/store.js";
import { CREATED_AT_FIELD, DEVICE_FIELD, EXPIRY_FIELD, LAST_SEEN_FIELD, LEASE_FIELD, RETIRED_FIELD, USER_ID_FIELD } from "../core/record-fields.js";
import { type ExpiryPolicy } from "../core/expiry.js";
import { atomicFieldsConformance } from "./atomic-fields-conformance.js";

/** How a store under test is created and how time moves for it. */
export interface StoreConformanceOptions {
  /** Label for the test suite. */
  name: string;
  /** Creates the store under test (called once). */
  createStore(): SessionStore | Promise<SessionStore>;
  /** Current time, epoch ms, consistent with the store's own expiry. */
  now(): number;
  /**
   * Lets `ms` milliseconds pass. With a fake clock, advance it; for a store
   * whose expiry runs on real time (Redis), sleep.
   */
  advance(ms: number): Promise<void>;
  /** Called after the suite, e.g. to close clients. */
  teardown?(): void | Promise<void>;
  /**
   * The idle timeout used for expiry tests, in ms. Keep it short for
   * real-time stores; default 1000.
   */
  idleTimeoutMs?: number;
  /**
   * How far, in ms, a store's own expiry clock may run ahead of `now()`
   * between a write and the next load: for a store on real time (Redis),
   * the latency of a couple of commands. The renewal boundary cases put
   * "just short of the renew interval" this much further short of it.
   * Default 0: a fake-clock store is held to the millisecond.
   */
  clockSlackMs?: number;
  /**
   * Whether the store implements the per-user index (`userIndex`) and must
   * pass its scenarios. Default true; set false only for a store that does
   * not offer binding sessions to users.
   */
  userIndex?: boolean;
  /**
   * Whether the store implements the single-field operations
   * (`atomicFields`: flash messages, increment, compare-and-set) and must
   * pass their scenarios. Default true.
   */
  atomicFields?: boolean;
}

function newId(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * Registers, with `node:test`, the behaviour every session store must have:
 * atomic creates that refuse to overwrite, updates that refuse to recreate
 * a destroyed or expired session, regenerate's atomic replace, idle and
 * absolute expiry, throttled renewal, idempotent writes and faithful
 * field round trips; and for the per-user index: leases that cap renewal,
 * lazy pruning by lease, owner-checked revocation, windows newest lease
 * first, tombstones that refuse a create ("revoked") and summaries that never
 * read data; and single-field operations (flash takes, increments,
 * compare-and-sets) that are atomic and never write to a dead record. Tessera runs it against `memoryStore` (fake clock) and
 * `redisStore` (real redis-server); run it against your own store the same way.
 *
 * @example
 * ```ts
 * import { storeConformance, fakeClock } from "tessera-session/testing";
 * const clock = fakeClock();
 * storeConformance({
 *   name: "my store",
 *   createStore: () => myStore(),
 *   now: () => clock.now(),
 *   advance: async (ms) => clock.advance(ms),
 * });
 * ```
 */
export function storeConformance(options: StoreConformanceOptions): void {
  const idle = options.idleTimeoutMs ?? 1000;
  // Half the idle timeout: a real-time store on a loaded machine can take
  // hundreds of ms between two calls, and "not renewed yet" checks must not
  // flake on that.
  const policy: ExpiryPolicy = { idleTimeoutMs: idle, absoluteTimeoutMs: 0, renewIntervalMs: Math.floor(idle / 2) };
  let store: SessionStore;

  const create = (id: string, fields: Array<[string, string]>, ttlMs = idle, createdAt = options.now()) =>
    store.write(id, { kind: "create", set: [[CREATED_AT_FIELD, String(createdAt)], ...fields], ttlMs }, options.now());

  describe(`store conformance: ${options.name}`, () => {
    before(async () => {
      store = await options.createStore();
    });
    after(async () => {
      await options.teardown?.();
    });

    it("loads nothing for an unknown id", async () => {
      assert.equal(await store.load(newId(), options.now(), policy), undefined);
    });

    it("creates a record and loads every field back unchanged", async () => {
      const id = newId();
      const fields: Array<[string, string]> = [
        ["username", '"ada"'],
        ["emoji ✓", '"naïve 😀"'],
        ["nested", '{"a":[1,2,{"b":null}],"c":"\\"quoted\\""}'],
      ];
      assert.equal(await create(id, fields), "ok");
      const loaded = await store.load(id, options.now(), policy);
      assert.ok(loaded, "record should load");
      for (const [field, value] of fields) assert.equal(loaded.fields.get(field), value);
      assert.ok(loaded.fields.has(CREATED_AT_FIELD));
      assert.equal(loaded.renewed, false, "a fresh record needs no renewal");
      const left = loaded.expiresAt - options.now();
      assert.ok(left > 0 && left <= idle, `expiry ${left} ms away should be within the idle timeout`);
    });

    it("refuses to create over an existing id", async () => {
      const id = newId();
      assert.equal(await create(id, [["a", "1"]]), "ok");
      assert.equal(await create(id, [["a", "2"]]), "exists");
      assert.equal((await store.load(id, options.now(), policy))?.fields.get("a"), "1");
    });

    it("updates only the given fields, deletes the removed ones, idempotently", async () => {
      const id = newId();
      await create(id, [["keep", "1"], ["change", "1"], ["drop", "1"]]);
      const update = { kind: "update" as const, set: [["change", "2"], ["add", "3"]] as Array<[string, string]>, del: ["drop"], ttlMs: idle };
      assert.equal(await store.write(id, update, options.now()), "ok");
      assert.equal(await store.write(id, update, options.now()), "ok", "a replayed write is harmless");
      const fields = (await store.load(id, options.now(), policy))?.fields;
      assert.deepEqual(
        Object.fromEntries([...(fields ?? [])].filter(([k]) => k !== CREATED_AT_FIELD)),
        { keep: "1", change: "2", add: "3" },
      );
    });

    it("keeps the expiry when an update carries no TTL", async () => {
      const id = newId();
      await create(id, [["a", "1"]], idle);
      const before = (await store.load(id, options.now(), policy))!.expiresAt;
      assert.equal(await store.write(id, { kind: "update", set: [["a", "2"]], del: [] }, options.now()), "ok");
      const after = await store.load(id, options.now(), policy);
      assert.equal(after?.fields.get("a"), "2");
      assert.ok(Math.abs(after!.expiresAt - before) <= 50, `expiry moved by ${after!.expiresAt - before} ms`);
    });

    it("refuses to update a destroyed record (no resurrection)", async () => {
      const id = newId();
      await create(id, [["a", "1"]]);
      await store.destroy(id);
      const result = await store.write(id, { kind: "update", set: [["a", "2"]], del: [], ttlMs: idle }, options.now());
      assert.equal(result, "gone");
      assert.equal(await store.load(id, options.now(), policy), undefined);
    });

    it("destroying a missing record is not an error", async () => {
      await store.destroy(newId());
    });

    it("replaces a record atomically (regenerate) and refuses when the old one is gone", async () => {
      const oldId = newId();
      const newIdValue = newId();
      await create(oldId, [["a", "1"]]);
      const replace = { kind: "create" as const, set: [[CREATED_AT_FIELD, String(options.now())], ["a", "1"]] as Array<[string, string]>, ttlMs: idle, replaces: oldId };
      assert.equal(await store.write(newIdValue, replace, options.now()), "ok");
      assert.equal(await store.load(oldId, options.now(), policy), undefined, "old record must be gone");
      assert.equal((await store.load(newIdValue, options.now(), policy))?.fields.get("a"), "1");

      const third = newId();
      assert.equal(await store.write(third, { ...replace, replaces: oldId }, options.now()), "gone");
      assert.equal(await store.load(third, options.now(), policy), undefined, "nothing created from a dead session");
    });

    it("expires an idle record and refuses to update it afterwards", async () => {
      const id = newId();
      await create(id, [["a", "1"]], idle);
      await options.advance(idle + 250);
      assert.equal(await store.load(id, options.now(), policy), undefined);
      const result = await store.write(id, { kind: "update", set: [["a", "2"]], del: [], ttlMs: idle }, options.now());
      assert.equal(result, "gone");
    });

    it("renews an unchanged record at most once per renew interval", async () => {
      const id = newId();
      await create(id, [["a", "1"]], idle);
      const first = await store.load(id, options.now(), policy);
      assert.equal(first?.renewed, false, "no renewal right after creation");
      await options.advance(policy.renewIntervalMs + 100);
      const second = await store.load(id, options.now(), policy);
      assert.equal(second?.renewed, true, "renewed once the interval has passed");
      assert.ok(second!.expiresAt > first!.expiresAt, "expiry moved forward");
      const third = await store.load(id, options.now(), policy);
      assert.equal(third?.renewed, false, "not renewed again within the interval");
      // Activity keeps it alive past the original idle deadline.
      await options.advance(idle - policy.renewIntervalMs);
      assert.ok(await store.load(id, options.now(), policy), "renewed record outlives its first deadline");
    });

    it("never renews past the absolute timeout", async () => {
      const id = newId();
      const absolute = idle * 2;
      const createdAt = options.now() - absolute + Math.floor(idle / 2);
      await create(id, [["a", "1"]], Math.floor(idle / 2), createdAt);
      const withAbsolute = { ...policy, absoluteTimeoutMs: absolute };
      await options.advance(100);
      const loaded = await store.load(id, options.now(), withAbsolute);
      assert.ok(loaded, "still inside the absolute timeout");
      // A real-time store sets TTLs relative to when the command runs, so its
      // deadline can trail the app's clock by the command's latency; allow up
      // to a renew interval for that on a loaded machine.
      assert.ok(loaded.expiresAt <= createdAt + absolute + policy.renewIntervalMs, "expiry capped at createdAt + absolute");
      await options.advance(Math.floor(idle / 2));
      assert.equal(await store.load(id, options.now(), withAbsolute), undefined, "gone after the absolute timeout");
    });

    renewalBoundaries(options, idle, policy, () => store);
    ownExpiryConformance(options, idle, policy, () => store);
    retiredRecordConformance(options, idle, policy, () => store);
    if (options.atomicFields !== false) atomicFieldsConformance(options, idle, policy, () => store);

    // Nested, so it runs before the suite's teardown closes the store.
    if (options.userIndex !== false) userIndexConformance(options, idle, policy, () => store);
  });
}

/**
 * The renewal rule of core/expiry.ts (`renewalOnLoad`) at its boundaries:
 * every store (the memory store in TypeScript, the Redis store in Lua)
 * must decide exactly alike. Each case pins `now` and passes it to every
 * call, so the caps (absolute timeout, lease), which depend only on `now`
 * and the record's fields, are checked to the millisecond even on a store
 * that runs on real time.
 */
function renewalBoundaries(options: StoreConformanceOptions, idle: number, policy: ExpiryPolicy, getStore: () => SessionStore): void {
  const slack = options.clockSlackMs ?? 0;
  const interval = policy.renewIntervalMs;
  /** What is left of an absolute timeout or a lease in the capped cases: under the idle timeout, over the renew interval plus the slack. */
  const capLeft = idle - Math.floor((idle - interval) / 4);
  const write = (id: string, set: Array<[string, string]>, ttlMs: number, now: number) =>
    getStore().write(id, { kind: "create", set, ttlMs }, now);

  describe("renewal at its boundaries (core/expiry.ts)", () => {
    before(() => {
      assert.ok(capLeft - interval > slack + 1, `clockSlackMs ${slack} leaves no room below the renew interval with idleTimeoutMs ${idle}`);
    });

    it("renews once the move reaches the renew interval, not a millisecond (plus clock slack) before", async () => {
      const now = options.now();
      const short = newId();
      const ttlShort = idle - interval + 1 + slack;
      assert.equal(await write(short, [[CREATED_AT_FIELD, String(now)]], ttlShort, now), "ok");
      const notDue = await getStore().load(short, now, policy);
      assert.equal(notDue?.renewed, false, "a move of less than the renew interval is not made");
      assert.ok(notDue.expiresAt <= now + ttlShort, "the expiry stayed");

      const at = newId();
      assert.equal(await write(at, [[CREATED_AT_FIELD, String(now)]], idle - interval, now), "ok");
      const due = await getStore().load(at, now, policy);
      assert.equal(due?.renewed, true, "a move of exactly the renew interval is made");
      assert.equal(due.expiresAt, now + idle, "renewed to the idle timeout from now");
    });

    it("caps a renewal at the absolute timeout, to the millisecond, and ends the record at it", async () => {
      const now = options.now();
      const absolute = 2 * idle;
      const withAbsolute = { ...policy, absoluteTimeoutMs: absolute };
      const createdAt = now - absolute + capLeft;

      const at = newId();
      assert.equal(await write(at, [[CREATED_AT_FIELD, String(createdAt)]], capLeft - interval, now), "ok");
      const capped = await getStore().load(at, now, withAbsolute);
      assert.equal(capped?.renewed, true, "the capped move is exactly the renew interval: made");
      assert.equal(capped.expiresAt, createdAt + absolute, "renewed to the absolute deadline, not past it");

      const short = newId();
      assert.equal(await write(short, [[CREATED_AT_FIELD, String(createdAt)]], capLeft - interval + 1 + slack, now), "ok");
      assert.equal((await getStore().load(short, now, withAbsolute))?.renewed, false, "a capped move short of the renew interval is not made");

      const lastMs = newId();
      assert.equal(await write(lastMs, [[CREATED_AT_FIELD, String(now - absolute + 1)]], idle, now), "ok");
      const alive = await getStore().load(lastMs, now, withAbsolute);
      assert.ok(alive, "one millisecond before the absolute deadline the record loads");
      assert.equal(alive.renewed, false);

      const over = newId();
      assert.equal(await write(over, [[CREATED_AT_FIELD, String(now - absolute)]], idle, now), "ok");
      assert.equal(await getStore().load(over, now, withAbsolute), undefined, "at the absolute deadline the record is over");
    });

    it("caps a bound session's renewal at its lease, to the millisecond, records last-seen, and ends it at the lease", async () => {
      const index = getStore().userIndex;
      const now = options.now();
      const bound = (lease: number): Array<[string, string]> => [
        [CREATED_AT_FIELD, String(now - idle)],
        [USER_ID_FIELD, `user-${newId()}`],
        [LEASE_FIELD, String(lease)],
        [LAST_SEEN_FIELD, String(now - idle)],
      ];

      const at = newId();
      assert.equal(await write(at, bound(now + capLeft), capLeft - interval, now), "ok");
      const capped = await getStore().load(at, now, policy);
      assert.equal(capped?.renewed, true, "the capped move is exactly the renew interval: made");
      assert.equal(capped.expiresAt, now + capLeft, "renewed to the lease, not past it");
      if (index) assert.equal((await index.inspect([at], now))[0]?.fields.get(LAST_SEEN_FIELD), String(now), "the renewal recorded last-seen");

      const short = newId();
      assert.equal(await write(short, bound(now + capLeft), capLeft - interval + 1 + slack, now), "ok");
      assert.equal((await getStore().load(short, now, policy))?.renewed, false, "a capped move short of the renew interval is not made");
      if (index) assert.equal((await index.inspect([short], now))[0]?.fields.get(LAST_SEEN_FIELD), String(now - idle), "no renewal, no last-seen");

      const lastMs = newId();
      assert.equal(await write(lastMs, bound(now + 1), idle, now), "ok");
      assert.ok(await getStore().load(lastMs, now, policy), "one millisecond before its lease ends the session loads");

      const over = newId();
      assert.equal(await write(over, bound(now), idle, now), "ok");
      assert.equal(await getStore().load(over, now, policy), undefined, "when its lease ends the session is over");
    });
  });
}

/**
 * A session's own expiry (EXPIRY_FIELD, `session.setExpiry`): the store's
 * load renews to it instead of the manager's timeouts, cut to the policy's
 * maximums, and a malformed one is ignored (core/expiry.ts's
 * `withSessionExpiry`, the Lua `renewOnLoad`).
 */
function ownExpiryConformance(options: StoreConformanceOptions, idle: number, policy: ExpiryPolicy, getStore: () => SessionStore): void {
  const withCaps: ExpiryPolicy = { ...policy, maxIdleTimeoutMs: 3 * idle, maxAbsoluteTimeoutMs: 0 };
  const write = (id: string, own: string, ttlMs: number, now: number, createdAt = now) =>
    getStore().write(id, { kind: "create", set: [[CREATED_AT_FIELD, String(createdAt)], [EXPIRY_FIELD, own], ["a", "1"]], ttlMs }, now);

  describe("a session's own expiry (core/expiry.ts withSessionExpiry)", () => {
    it("renews to the session's own idle timeout, cut to the maximum, and ignores a malformed one", async () => {
      const now = options.now();
      const longer = newId();
      assert.equal(await write(longer, `${2 * idle},0,1`, idle - policy.renewIntervalMs, now), "ok");
      const renewed = await getStore().load(longer, now, withCaps);
      assert.equal(renewed?.renewed, true);
      assert.equal(renewed.expiresAt, now + 2 * idle, "renewed to its own idle timeout, not the manager's");
      assert.equal(renewed.fields.get(EXPIRY_FIELD), `${2 * idle},0,1`, "the field reads back as written");

      const capped = newId();
      assert.equal(await write(capped, `${10 * idle},0,1`, idle - policy.renewIntervalMs, now), "ok");
      assert.equal((await getStore().load(capped, now, withCaps))?.expiresAt, now + 3 * idle, "cut to maxIdleTimeoutMs");

      const malformed = newId();
      assert.equal(await write(malformed, `${10 * idle};0;1`, idle - policy.renewIntervalMs, now), "ok");
      assert.equal((await getStore().load(malformed, now, withCaps))?.expiresAt, now + idle, "a malformed own expiry means the manager's");
    });

    it("cuts a record to a lowered maximum at its next read (a move earlier is a renewal too)", async () => {
      const now = options.now();
      const id = newId();
      assert.equal(await write(id, `${10 * idle},0,1`, 10 * idle, now), "ok");
      const cut = await getStore().load(id, now, withCaps);
      assert.equal(cut?.renewed, true, "the cookie must follow the cut");
      assert.equal(cut.expiresAt, now + 3 * idle, "cut to maxIdleTimeoutMs");
      assert.equal((await getStore().load(id, now, withCaps))?.renewed, false, "once");
    });

    it("caps a renewal at the session's own absolute timeout, and at the maximum one", async () => {
      const now = options.now();
      const own = newId();
      // Created 3 idles ago with an own absolute timeout of 4 idles: one idle left.
      assert.equal(await write(own, `${3 * idle},${4 * idle},1`, idle - policy.renewIntervalMs, now, now - 3 * idle), "ok");
      const capped = await getStore().load(own, now, withCaps);
      assert.equal(capped?.renewed, true);
      assert.equal(capped.expiresAt, now - 3 * idle + 4 * idle, "renewed to its own absolute deadline");

      const none = newId();
      const maxAbsolute = { ...withCaps, maxAbsoluteTimeoutMs: 4 * idle };
      assert.equal(await write(none, `${3 * idle},0,1`, idle - policy.renewIntervalMs, now, now - 3 * idle), "ok");
      assert.equal((await getStore().load(none, now, maxAbsolute))?.expiresAt, now + idle, "no own absolute timeout is cut to the maximum one");

      const over = newId();
      assert.equal(await write(over, `${3 * idle},${2 * idle},1`, idle, now, now - 2 * idle), "ok");
      assert.equal(await getStore().load(over, now, withCaps), undefined, "past its own absolute timeout the record is over");
    });

    it("renews a session with a longer own idle timeout once the interval passed (no read shortcut skips it)", async () => {
      const id = newId();
      const now = options.now();
      assert.equal(await write(id, `${3 * idle},0,1`, 3 * idle, now), "ok");
      const first = await getStore().load(id, options.now(), withCaps);
      assert.equal(first?.renewed, false, "fresh: nothing to renew");
      await options.advance(policy.renewIntervalMs + 100);
      const second = await getStore().load(id, options.now(), withCaps);
      assert.equal(second?.renewed, true, "renewed to its own idle timeout once the move reaches the interval");
      assert.ok(second.expiresAt > first.expiresAt);
    });

    it("moves the expiry earlier when an update shortens it (a kiosk's session)", async () => {
      const id = newId();
      const now = options.now();
      assert.equal(await write(id, `${3 * idle},0,1`, 3 * idle, now), "ok");
      assert.ok(await getStore().load(id, now, withCaps), "read once: a store may remember its expiry");
      const shorten = { kind: "update" as const, set: [] as Array<[string, string]>, del: [EXPIRY_FIELD], ttlMs: idle };
      assert.equal(await getStore().write(id, shorten, now), "ok");
      const after = await getStore().load(id, options.now(), withCaps);
      assert.ok(after && !after.fields.has(EXPIRY_FIELD));
      assert.ok(after.expiresAt <= options.now() + idle, "the expiry moved earlier");
      await options.advance(idle + 250);
      assert.equal(await getStore().load(id, options.now(), withCaps), undefined, "and the record ends at it");
    });
  });
}

/**
 * A regenerate with a grace window (`CreateWrite.replacedGraceMs`): the
 * replaced record is retired (RETIRED_FIELD), not deleted: it loads,
 * unrenewed, until the window ends, and nothing else takes it for a record.
 */
function retiredRecordConformance(options: StoreConformanceOptions, idle: number, policy: ExpiryPolicy, getStore: () => SessionStore): void {
  const grace = idle;
  const regenerate = async (user?: string) => {
    const [oldId, newIdValue] = [newId(), newId()];
    const bound: Array<[string, string]> = user === undefined ? [] : [[USER_ID_FIELD, user], [LEASE_FIELD, String(options.now() + 4 * idle)]];
    const createdAt = String(options.now());
    assert.equal(await getStore().write(oldId, { kind: "create", set: [[CREATED_AT_FIELD, createdAt], ["a", '"old"'], ...bound], ttlMs: 3 * idle }, options.now()), "ok");
    const replace = { kind: "create" as const, set: [[CREATED_AT_FIELD, createdAt], ["a", '"new"'], ...bound] as Array<[string, string]>, ttlMs: 3 * idle, replaces: oldId, replacedGraceMs: grace };
    assert.equal(await getStore().write(newIdValue, replace, options.now()), "ok");
    return { oldId, newId: newIdValue, createdAt };
  };
  const update = { kind: "update" as const, set: [["a", '"late"']] as Array<[string, string]>, del: [], ttlMs: 3 * idle };

  describe("a regenerate's retired record (grace window)", () => {
    it("loads the old record read-only for the window, never renewed, then not at all", async () => {
      const { oldId, newId: current, createdAt } = await regenerate();
      const retired = await getStore().load(oldId, options.now(), { ...policy, renewIntervalMs: 1 });
      assert.ok(retired, "the old token still reads");
      assert.equal(retired.fields.get("a"), '"old"', "its data as it was");
      assert.equal(retired.fields.get(RETIRED_FIELD), createdAt, "marked retired, with its creation time");
      assert.equal(retired.fields.has(CREATED_AT_FIELD), false, "and no longer a record");
      assert.equal(retired.renewed, false, "never renewed, even when a renewal would be due");
      assert.ok(retired.expiresAt <= options.now() + grace, "it ends with the window");
      assert.equal((await getStore().load(current, options.now(), policy))?.fields.get("a"), '"new"');
      await options.advance(grace + 250);
      assert.equal(await getStore().load(oldId, options.now(), policy), undefined, "after the window the old token is dead");
      assert.ok(await getStore().load(current, options.now(), policy), "the new session lives on");
    });

    it("refuses to write, regenerate, list or revoke a retired record, and never brings it back", async () => {
      const user = `user-${newId()}`;
      const { oldId } = await regenerate(user);
      assert.equal(await getStore().write(oldId, update, options.now()), "retired", "an update through the old token is dropped");
      assert.equal((await getStore().load(oldId, options.now(), policy))?.fields.get("a"), '"old"', "nothing was written");
      const again = { kind: "create" as const, set: [[CREATED_AT_FIELD, String(options.now())]] as Array<[string, string]>, ttlMs: idle, replaces: oldId };
      const third = newId();
      assert.equal(await getStore().write(third, again, options.now()), "gone", "a second regenerate from the old token is refused");
      assert.equal(await getStore().load(third, options.now(), policy), undefined);
      const index = getStore().userIndex;
      if (index) {
        assert.deepEqual(await index.inspect([oldId], options.now()), [undefined], "not listed");
        assert.deepEqual(await index.revoke(oldId, user), { deleted: false }, "not revoked as a session");
        assert.equal(await index.revokeEntry(user, { id: oldId, leaseEnd: options.now() + 4 * idle }, options.now()), "absent", "log out everywhere buries it");
        assert.equal(await getStore().load(oldId, options.now(), policy), undefined, "and then it no longer loads");
      }
      await options.advance(grace + 250);
      assert.equal(await getStore().write(oldId, update, options.now()), "gone", "after the window an update finds nothing");
      assert.equal(await getStore().load(oldId, options.now(), policy), undefined, "never resurrected");
    });

    it("drops the updates of several retired records sent in one turn", async () => {
      const olds = await Promise.all(Array.from({ length: 10 }, () => regenerate()));
      const results = await Promise.all(olds.map(({ oldId }) => getStore().write(oldId, update, options.now())));
      assert.deepEqual(results, olds.map(() => "retired"));
      const live = await Promise.all(olds.map(({ newId: current }) => getStore().write(current, update, options.now())));
      assert.deepEqual(live, olds.map(() => "ok"), "the new sessions take the same updates");
    });
  });
}

function userIndexConformance(
  options: StoreConformanceOptions,
  idle: number,
  policy: ExpiryPolicy,
  getStore: () => SessionStore,
): void {
  const index = (): UserIndexStore => {
    const userIndex = getStore().userIndex;
    assert.ok(userIndex, "the store must implement userIndex (or pass userIndex: false)");
    return userIndex;
  };
  const createBound = (id: string, userId: string, leaseEnd: number, ttlMs = idle) => {
    const now = options.now();
    const set: Array<[string, string]> = [
      [CREATED_AT_FIELD, String(now)],
      [USER_ID_FIELD, userId],
      [DEVICE_FIELD, '{"label":"test"}'],
      [LEASE_FIELD, String(leaseEnd)],
      [LAST_SEEN_FIELD, String(now)],
      ["secret", '"data"'],
    ];
    return getStore().write(id, { kind: "create", set, ttlMs }, now);
  };
  const ids = (entries: ReadonlyArray<{ id: string }>) => entries.map((entry) => entry.id).sort();

  describe("per-user index", () => {
    it("adds entries, counts them, lists them with their lease, and removes them", async () => {
      const user = `user-${newId()}`;
      const [a, b] = [newId(), newId()];
      const lease = options.now() + 2 * idle;
      assert.equal(await index().add(user, a, lease, options.now()), 1);
      assert.equal(await index().add(user, b, lease, options.now()), 2);
      assert.equal(await index().add(user, b, lease, options.now()), 2, "adding twice is idempotent");
      const entries = await index().entries(user, options.now());
      assert.deepEqual(ids(entries), [a, b].sort());
      assert.ok(entries.every((entry) => Math.abs(entry.leaseEnd - lease) <= 1), "entries carry their lease end");
      await index().remove(user, [a, newId()]);
      assert.deepEqual(ids(await index().entries(user, options.now())), [b]);
      assert.deepEqual(await index().entries(`nobody-${newId()}`, options.now()), []);
    });

    it("removes replaced ids in the same step as an add (regenerate)", async () => {
      const user = `user-${newId()}`;
      const [old, fresh] = [newId(), newId()];
      await index().add(user, old, options.now() + idle, options.now());
      assert.equal(await index().add(user, fresh, options.now() + idle, options.now(), [old]), 1);
      assert.deepEqual(ids(await index().entries(user, options.now())), [fresh]);
    });

    it("never lowers a lease", async () => {
      const user = `user-${newId()}`;
      const id = newId();
      const later = options.now() + 3 * idle;
      await index().add(user, id, later, options.now());
      await index().add(user, id, options.now() + idle, options.now());
      const [entry] = await index().entries(user, options.now());
      assert.ok(entry && Math.abs(entry.leaseEnd - later) <= 1, "the later lease is kept");
    });

    it("drops entries whose lease ended, without any other traffic", async () => {
      const user = `user-${newId()}`;
      const [short, long] = [newId(), newId()];
      await index().add(user, short, options.now() + Math.floor(idle / 2), options.now());
      await index().add(user, long, options.now() + 4 * idle, options.now());
      await options.advance(Math.floor(idle / 2) + 100);
      assert.deepEqual(ids(await index().entries(user, options.now())), [long]);
      assert.equal(await index().add(user, newId(), options.now() + idle, options.now()), 2, "the add prunes too");
    });

    it("inspects sessions: reserved fields and expiry only, undefined when missing", async () => {
      const user = `user-${newId()}`;
      const id = newId();
      const lease = options.now() + 2 * idle;
      assert.equal(await createBound(id, user, lease), "ok");
      const [summary, missing] = await index().inspect([id, newId()], options.now());
      assert.equal(missing, undefined);
      assert.ok(summary);
      assert.equal(summary.fields.get(USER_ID_FIELD), user);
      assert.equal(summary.fields.get(DEVICE_FIELD), '{"label":"test"}');
      assert.equal(summary.fields.get(LEASE_FIELD), String(lease));
      assert.ok(summary.fields.has(CREATED_AT_FIELD) && summary.fields.has(LAST_SEEN_FIELD));
      assert.equal(summary.fields.has("secret"), false, "data fields are never read by a listing");
      const left = summary.expiresAt - options.now();
      assert.ok(left > 0 && left <= idle, `expiry ${left} ms away`);
      assert.deepEqual(await index().inspect([], options.now()), []);
    });

    it("revokes by id, checking the owner when asked, and reports the owner", async () => {
      const user = `user-${newId()}`;
      const id = newId();
      await createBound(id, user, options.now() + 2 * idle);
      assert.deepEqual(await index().revoke(id, "someone-else"), { deleted: false }, "another user's id is refused");
      assert.ok(await getStore().load(id, options.now(), policy), "refused revoke leaves it alone");
      assert.deepEqual(await index().revoke(id, user), { deleted: true, userId: user });
      assert.equal(await getStore().load(id, options.now(), policy), undefined);
      assert.deepEqual(await index().revoke(id), { deleted: false }, "a missing session is not deleted twice");
      const unbound = newId();
      await getStore().write(unbound, { kind: "create", set: [[CREATED_AT_FIELD, String(options.now())]], ttlMs: idle }, options.now());
      assert.deepEqual(await index().revoke(unbound, user), { deleted: false }, "an unbound session has no owner to match");
      assert.deepEqual(await index().revoke(unbound), { deleted: true, userId: undefined });
    });

    it("never renews a bound session past its lease, and expires it at the lease", async () => {
      const user = `user-${newId()}`;
      const id = newId();
      const lease = options.now() + idle + Math.floor((idle * 3) / 4);
      await createBound(id, user, lease);
      await options.advance(idle - 100);
      const loaded = await getStore().load(id, options.now(), policy);
      assert.ok(loaded?.renewed, "renewed");
      assert.ok(loaded.expiresAt <= lease + 5, `renewed to ${loaded.expiresAt - lease} ms past the lease`);
      await options.advance(lease - options.now() + 150);
      assert.equal(await getStore().load(id, options.now(), policy), undefined, "dead once its lease has passed");
    });

    it("records last-seen when it renews a bound session", async () => {
      const user = `user-${newId()}`;
      const id = newId();
      await createBound(id, user, options.now() + 4 * idle);
      const before = Number((await index().inspect([id], options.now()))[0]?.fields.get(LAST_SEEN_FIELD));
      await options.advance(policy.renewIntervalMs + 100);
      const loaded = await getStore().load(id, options.now(), policy);
      assert.ok(loaded?.renewed);
      const after = Number((await index().inspect([id], options.now()))[0]?.fields.get(LAST_SEEN_FIELD));
      assert.ok(after >= before + policy.renewIntervalMs, `last seen moved from ${before} to ${after}`);
    });

    it("lists a window of entries, newest lease first", async () => {
      const user = `user-${newId()}`;
      const ids = [newId(), newId(), newId()];
      for (const [i, id] of ids.entries()) await index().add(user, id, options.now() + (i + 2) * idle, options.now());
      const newestFirst = [...ids].reverse();
      assert.deepEqual((await index().entries(user, options.now())).map((entry) => entry.id), newestFirst);
      assert.deepEqual((await index().entries(user, options.now(), { offset: 0, limit: 2 })).map((entry) => entry.id), newestFirst.slice(0, 2));
      assert.deepEqual((await index().entries(user, options.now(), { offset: 2, limit: 2 })).map((entry) => entry.id), newestFirst.slice(2));
      assert.deepEqual(await index().entries(user, options.now(), { offset: 3, limit: 2 }), []);
    });

    it("revokes an entry: deletes the user's session, leaves others' alone, tombstones a missing one", async () => {
      const user = `user-${newId()}`;
      const lease = options.now() + 2 * idle;
      const [mine, theirs] = [newId(), newId()];
      await createBound(mine, user, lease);
      await createBound(theirs, "someone-else", lease);
      assert.equal(await index().revokeEntry(user, { id: mine, leaseEnd: lease }, options.now(), { onlyIfAbsent: true }), "live", "a listing leaves a live session alone");
      assert.ok(await getStore().load(mine, options.now(), policy));
      assert.equal(await index().revokeEntry(user, { id: mine, leaseEnd: lease }, options.now()), "deleted");
      assert.equal(await getStore().load(mine, options.now(), policy), undefined);
      assert.equal(await index().revokeEntry(user, { id: theirs, leaseEnd: lease }, options.now()), "foreign");
      assert.ok(await getStore().load(theirs, options.now(), policy), "another user's session is untouched");
      assert.equal(await index().revokeEntry(user, { id: newId(), leaseEnd: lease }, options.now()), "absent");
    });

    it("refuses to create a session under a tombstone (\"revoked\"), killing the session it replaces, and never loads a tombstone", async () => {
      const user = `user-${newId()}`;
      const lease = options.now() + 2 * idle;
      const [pending, replaced, plain] = [newId(), newId(), newId()];
      // "Log out everywhere" met the entry of a login whose record is not written yet.
      assert.equal(await index().revokeEntry(user, { id: pending, leaseEnd: lease }, options.now()), "absent");
      assert.equal(await index().revokeEntry(user, { id: plain, leaseEnd: lease }, options.now()), "absent");
      assert.equal(await getStore().load(pending, options.now(), policy), undefined, "a tombstone is not a session");
      assert.deepEqual(await index().revoke(pending), { deleted: false }, "nor is it revoked as one");
      assert.deepEqual(await index().inspect([pending], options.now()), [undefined], "nor inspected as one");
      const update = { kind: "update" as const, set: [["a", "1"]] as Array<[string, string]>, del: [], ttlMs: idle };
      assert.equal(await getStore().write(pending, update, options.now()), "gone", "an update of a tombstone writes nothing");
      await getStore().write(replaced, { kind: "create", set: [[CREATED_AT_FIELD, String(options.now())]], ttlMs: idle }, options.now());
      const create = { kind: "create" as const, set: [[CREATED_AT_FIELD, String(options.now())], [USER_ID_FIELD, user]] as Array<[string, string]>, ttlMs: idle };
      assert.equal(await getStore().write(pending, { ...create, replaces: replaced }, options.now()), "revoked");
      assert.equal(await getStore().load(pending, options.now(), policy), undefined, "the refused session does not exist");
      assert.equal(await getStore().load(replaced, options.now(), policy), undefined, "the session it would replace is dead too");
      assert.equal(await getStore().write(plain, create, options.now()), "revoked", "a create without replaces is refused too");
      assert.equal(await getStore().load(plain, options.now(), policy), undefined);
    });

    it("refuses a regenerate of a session whose id carries a tombstone (it died first)", async () => {
      const user = `user-${newId()}`;
      const dead = newId();
      await index().revokeEntry(user, { id: dead, leaseEnd: options.now() + 2 * idle }, options.now());
      const replace = { kind: "create" as const, set: [[CREATED_AT_FIELD, String(options.now())]] as Array<[string, string]>, ttlMs: idle, replaces: dead };
      const fresh = newId();
      assert.equal(await getStore().write(fresh, replace, options.now()), "gone");
      assert.equal(await getStore().load(fresh, options.now(), policy), undefined);
    });

    it("never loads a tombstone left under the id of a session read before (absolute timeout off)", async () => {
      const user = `user-${newId()}`;
      const lease = options.now() + 2 * idle;
      const id = newId();
      await createBound(id, user, lease);
      assert.ok(await getStore().load(id, options.now(), policy), "read once: a store may remember its expiry");
      assert.equal(await index().revokeEntry(user, { id, leaseEnd: lease }, options.now()), "deleted");
      assert.equal(await index().revokeEntry(user, { id, leaseEnd: lease }, options.now()), "absent", "a second revoke leaves a tombstone");
      assert.equal(await getStore().load(id, options.now(), policy), undefined, "a tombstone is not a session");
    });

    it("lets a tombstone end with the entry's lease", async () => {
      const user = `user-${newId()}`;
      const id = newId();
      await index().revokeEntry(user, { id, leaseEnd: options.now() + Math.floor(idle / 2) }, options.now());
      await options.advance(Math.floor(idle / 2) + 150);
      const create = { kind: "create" as const, set: [[CREATED_AT_FIELD, String(options.now())]] as Array<[string, string]>, ttlMs: idle };
      assert.equal(await getStore().write(id, create, options.now()), "ok");
    });
  });
}
