// The commit planner on its own: no store, no handle, numbers for the clock.
// Each case builds the handle's record state by hand and checks the decision.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NEW_RECORD, planCommit, type CommitPlan, type RecordState } from "../dist/core/commit-plan.js";
import { CREATED_AT_FIELD, CSRF_SECRET_FIELD, DEVICE_FIELD, LAST_SEEN_FIELD, LEASE_FIELD, USER_ID_FIELD } from "../dist/core/record-fields.js";

const MINUTE = 60_000;
const policy = { idleTimeoutMs: 30 * MINUTE, absoluteTimeoutMs: 24 * 60 * MINUTE, renewIntervalMs: MINUTE };
const NOW = 1_700_000_000_000;
const at = (now: number) => ({ now: () => now });
/** A clock the plan must not read: unchanged sessions cost no clock call. */
const unread = { now: (): number => assert.fail("the planner read the clock") };

function fields(entries: Record<string, string> = {}): Map<string, string> {
  return new Map(Object.entries(entries));
}

/** A stored, unbound session created an hour ago whose expiry was renewed `sinceRenewalMs` ago. */
function stored(overrides: Partial<RecordState> = {}, sinceRenewalMs = 0): RecordState {
  return {
    ...NEW_RECORD,
    storedId: "id-1",
    token: "token-1",
    baseline: fields({ theme: '"dark"', cart: "[1]" }),
    createdAt: NOW - 60 * MINUTE,
    expiresAt: NOW - sinceRenewalMs + policy.idleTimeoutMs,
    ...overrides,
  };
}

const binding = { userId: "ada", device: '{"boundAt":1}' };

function expectKind<K extends CommitPlan["kind"]>(plan: CommitPlan, kind: K): Extract<CommitPlan, { kind: K }> {
  assert.equal(plan.kind, kind);
  return plan as Extract<CommitPlan, { kind: K }>;
}

describe("planCommit", () => {
  it("nothing: a stored, unbound session whose data did not change (without reading the clock)", () => {
    expectKind(planCommit(stored(), fields({ cart: "[1]", theme: '"dark"' }), unread, policy), "nothing");
  });

  it("nothing: an empty new session is never stored, also when data was set and then removed", () => {
    expectKind(planCommit(NEW_RECORD, fields(), unread, policy), "nothing");
  });

  it("destroyReplaced: a regenerated session that was then emptied still kills the old record", () => {
    const regenerated = { ...stored(), storedId: undefined, token: undefined, replacesId: "id-1", baseline: new Map() };
    const plan = expectKind(planCommit(regenerated, fields(), unread, policy), "destroyReplaced");
    assert.equal(plan.replacesId, "id-1");
  });

  it("create: a new session with data gets a record that lives one idle timeout", () => {
    const plan = expectKind(planCommit(NEW_RECORD, fields({ theme: '"dark"' }), at(NOW), policy), "create");
    assert.equal(plan.now, NOW);
    assert.equal(plan.createdAt, NOW);
    assert.equal(plan.ttlMs, policy.idleTimeoutMs);
    assert.deepEqual(plan.meta, [[CREATED_AT_FIELD, String(NOW)]]);
    assert.equal(plan.replaces, undefined);
    assert.equal(plan.binding, undefined);
    assert.equal(plan.newlyBound, false);
  });

  it("create: a new session with only a CSRF secret is stored, with the secret", () => {
    const state = { ...NEW_RECORD, csrfSecret: "s".repeat(43), csrfSecretChanged: true };
    const plan = expectKind(planCommit(state, fields(), at(NOW), policy), "create");
    assert.deepEqual(plan.meta, [[CREATED_AT_FIELD, String(NOW)], [CSRF_SECRET_FIELD, "s".repeat(43)]]);
    assert.equal(plan.csrfSecret, "s".repeat(43));
  });

  it("update without renewal: only changed and removed keys, the expiry left where it is", () => {
    const plan = expectKind(planCommit(stored({}, 10_000), fields({ theme: '"light"' }), at(NOW), policy), "update");
    assert.deepEqual(plan.write, { kind: "update", set: [["theme", '"light"']], del: ["cart"] });
    assert.equal(plan.dataFields, 1);
    assert.equal(plan.expiresAt, undefined);
    assert.equal(plan.reindex, false);
  });

  it("update with renewal: once the expiry is a renew interval short, the write moves it and says where", () => {
    const plan = expectKind(planCommit(stored({}, MINUTE), fields({ theme: '"dark"', cart: "[1,2]" }), at(NOW), policy), "update");
    assert.deepEqual(plan.write, { kind: "update", set: [["cart", "[1,2]"]], del: [], ttlMs: policy.idleTimeoutMs });
    assert.equal(plan.expiresAt, NOW + policy.idleTimeoutMs);
  });

  it("update: a CSRF secret created for an unchanged session is written alone", () => {
    const state = stored({ csrfSecret: "x".repeat(43), csrfSecretChanged: true }, 10_000);
    const plan = expectKind(planCommit(state, fields({ theme: '"dark"', cart: "[1]" }), at(NOW), policy), "update");
    assert.deepEqual(plan.write.set, [[CSRF_SECRET_FIELD, "x".repeat(43)]]);
    assert.equal(plan.dataFields, 0);
    assert.equal(plan.csrfSecret, "x".repeat(43));
  });

  it("regenerate: a new record replacing the old one, keeping createdAt, so the absolute timeout is not extended", () => {
    const createdAt = NOW - (24 * 60 - 10) * MINUTE; // 10 minutes of the absolute timeout left
    const state = { ...stored({ createdAt }), storedId: undefined, token: undefined, replacesId: "id-1", baseline: new Map() };
    const plan = expectKind(planCommit(state, fields({ theme: '"dark"' }), at(NOW), policy), "create");
    assert.equal(plan.replaces, "id-1");
    assert.equal(plan.createdAt, createdAt);
    assert.equal(plan.ttlMs, 10 * MINUTE);
    assert.deepEqual(plan.meta, [[CREATED_AT_FIELD, String(createdAt)]]);
  });

  it("drop: past the absolute timeout, neither a regenerate nor an update writes", () => {
    const createdAt = NOW - policy.absoluteTimeoutMs;
    const regenerated = { ...stored({ createdAt }), storedId: undefined, token: undefined, replacesId: "id-1", baseline: new Map() };
    expectKind(planCommit(regenerated, fields({ theme: '"dark"' }), at(NOW), policy), "drop");
    expectKind(planCommit(stored({ createdAt }), fields({ theme: '"light"' }), at(NOW), policy), "drop");
  });

  it("lease not due: an unchanged bound session plans nothing; a changed one updates its last-seen time, capped by the lease", () => {
    const leaseEnd = NOW + 2 * policy.idleTimeoutMs - MINUTE;
    const state = stored({ binding: { ...binding, leaseEnd } }, 10_000);
    expectKind(planCommit(state, fields({ theme: '"dark"', cart: "[1]" }), at(NOW), policy), "nothing");
    const plan = expectKind(planCommit(state, fields({ theme: '"light"', cart: "[1]" }), at(NOW), policy), "update");
    assert.equal(plan.reindex, false);
    assert.equal(plan.leaseEnd, leaseEnd);
    assert.deepEqual(plan.write.set, [["theme", '"light"'], [LAST_SEEN_FIELD, String(NOW)]]);
  });

  it("lease due: an unchanged bound session near its lease end extends the lease (index first) and writes it", () => {
    const leaseEnd = NOW + policy.idleTimeoutMs - 1;
    const state = stored({ binding: { ...binding, leaseEnd } }, 10_000);
    const plan = expectKind(planCommit(state, fields({ theme: '"dark"', cart: "[1]" }), at(NOW), policy), "update");
    assert.equal(plan.reindex, true);
    assert.equal(plan.leaseEnd, NOW + 2 * policy.idleTimeoutMs);
    assert.deepEqual(plan.write.set, [
      [LEASE_FIELD, String(NOW + 2 * policy.idleTimeoutMs)],
      [LAST_SEEN_FIELD, String(NOW)],
    ]);
  });

  it("lease not due at the absolute end: a lease that already reaches it is never extended", () => {
    const createdAt = NOW - policy.absoluteTimeoutMs + 5 * MINUTE;
    const state = stored({ createdAt, binding: { ...binding, leaseEnd: createdAt + policy.absoluteTimeoutMs } });
    expectKind(planCommit(state, fields({ theme: '"dark"', cart: "[1]" }), at(NOW), policy), "nothing");
  });

  it("lease due: a bound record without a lease (leaseEnd 0) gets one at its next commit", () => {
    const state = stored({ binding: { ...binding, leaseEnd: 0 } }, 10_000);
    const plan = expectKind(planCommit(state, fields({ theme: '"dark"', cart: "[1]" }), at(NOW), policy), "update");
    assert.equal(plan.reindex, true);
    assert.equal(plan.leaseEnd, NOW + 2 * policy.idleTimeoutMs);
  });

  it("binding: a bindUser creates a bound record with its lease, and the per-user maximum is enforced after", () => {
    const state = { ...NEW_RECORD, pendingBinding: binding };
    const plan = expectKind(planCommit(state, fields(), at(NOW), policy), "create");
    assert.deepEqual(plan.binding, binding);
    assert.equal(plan.newlyBound, true);
    assert.equal(plan.leaseEnd, NOW + 2 * policy.idleTimeoutMs);
    assert.deepEqual(plan.meta, [
      [CREATED_AT_FIELD, String(NOW)],
      [USER_ID_FIELD, "ada"],
      [DEVICE_FIELD, binding.device],
      [LEASE_FIELD, String(NOW + 2 * policy.idleTimeoutMs)],
      [LAST_SEEN_FIELD, String(NOW)],
    ]);
  });

  it("binding: a regenerate of a bound session keeps the binding with a fresh lease; a pending binding replaces it", () => {
    const base = { ...stored({ binding: { ...binding, leaseEnd: NOW + MINUTE } }), storedId: undefined, token: undefined, replacesId: "id-1", baseline: new Map() };
    const kept = expectKind(planCommit(base, fields({ theme: '"dark"' }), at(NOW), policy), "create");
    assert.deepEqual(kept.binding, binding);
    assert.equal(kept.newlyBound, false);
    assert.equal(kept.leaseEnd, NOW + 2 * policy.idleTimeoutMs);
    const rebound = expectKind(planCommit({ ...base, pendingBinding: { userId: "bob", device: "{}" } }, fields(), at(NOW), policy), "create");
    assert.deepEqual(rebound.binding, { userId: "bob", device: "{}" });
    assert.equal(rebound.newlyBound, true);
  });

  it("binding near the absolute end: the lease and the record's time to live stop at it", () => {
    const createdAt = NOW - policy.absoluteTimeoutMs + 10 * MINUTE;
    const state = { ...stored({ createdAt }), storedId: undefined, token: undefined, baseline: new Map(), pendingBinding: binding };
    const plan = expectKind(planCommit(state, fields(), at(NOW), policy), "create");
    assert.equal(plan.leaseEnd, createdAt + policy.absoluteTimeoutMs);
    assert.equal(plan.ttlMs, 10 * MINUTE);
  });
});
