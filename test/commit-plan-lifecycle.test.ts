// The commit planner's lifecycle decisions on their own (issue 16): a
// session's own expiry, the authentication time, the regenerate grace
// window, and a retired record. No store, numbers for the clock.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { afterUpdate, authenticated, NEW_RECORD, planCommit, withExpiry, type CommitPlan, type RecordState } from "../dist/core/commit-plan.js";
import { AUTHENTICATED_AT_FIELD, CREATED_AT_FIELD, EXPIRY_FIELD } from "../dist/core/record-fields.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const policy = { idleTimeoutMs: 30 * MINUTE, absoluteTimeoutMs: DAY, renewIntervalMs: MINUTE, maxIdleTimeoutMs: 30 * DAY, maxAbsoluteTimeoutMs: 90 * DAY };
const NOW = 1_700_000_000_000;
const at = (now: number) => ({ now: () => now });
const unread = { now: (): number => assert.fail("the planner read the clock") };
const remember = { idleTimeoutMs: 30 * DAY, absoluteTimeoutMs: 90 * DAY, persistent: true };

function stored(overrides: Partial<RecordState> = {}): RecordState {
  return {
    ...NEW_RECORD,
    storedId: "id-1",
    token: "token-1",
    baseline: new Map([["user", '"ada"']]),
    createdAt: NOW - 60 * MINUTE,
    expiresAt: NOW + policy.idleTimeoutMs,
    ...overrides,
  };
}
const same = () => new Map([["user", '"ada"']]);

function expectKind<K extends CommitPlan["kind"]>(plan: CommitPlan, kind: K): Extract<CommitPlan, { kind: K }> {
  assert.equal(plan.kind, kind);
  return plan as Extract<CommitPlan, { kind: K }>;
}

describe("planCommit: lifecycle", () => {
  it("update: a new own expiry is written and always moves the expiry (the cookie follows)", () => {
    const plan = expectKind(planCommit(withExpiry(stored(), remember), same(), at(NOW), policy), "update");
    assert.deepEqual(plan.write.set, [[EXPIRY_FIELD, `${30 * DAY},${90 * DAY},1`]]);
    assert.equal(plan.write.ttlMs, 30 * DAY);
    assert.equal(plan.expiresAt, NOW + 30 * DAY);
    const after = afterUpdate(withExpiry(stored(), remember), plan, same());
    assert.equal(after.expiryChanged, false, "written: nothing pending");
    assert.deepEqual(after.expiry, remember);
  });

  it("update: back to the defaults deletes the field and moves the expiry earlier", () => {
    const plan = expectKind(planCommit(withExpiry(stored({ expiry: remember, expiresAt: NOW + 30 * DAY }), undefined), same(), at(NOW), policy), "update");
    assert.deepEqual(plan.write.del, [EXPIRY_FIELD]);
    assert.equal(plan.write.ttlMs, 30 * MINUTE);
  });

  it("nothing: an unchanged session with its own expiry (without reading the clock)", () => {
    expectKind(planCommit(stored({ expiry: remember }), same(), unread, policy), "nothing");
  });

  it("create: a regenerate keeps the own expiry, records the authentication, and carries the grace window", () => {
    const rotated = authenticated({ ...stored({ expiry: remember }), storedId: undefined, token: undefined, replacesId: "id-1", baseline: new Map() }, NOW);
    const plan = expectKind(planCommit(rotated, same(), at(NOW), policy, 5000), "create");
    assert.equal(plan.ttlMs, 30 * DAY, "its own idle timeout");
    assert.deepEqual(plan.meta, [
      [CREATED_AT_FIELD, String(NOW - 60 * MINUTE)],
      [EXPIRY_FIELD, `${30 * DAY},${90 * DAY},1`],
      [AUTHENTICATED_AT_FIELD, String(NOW)],
    ]);
    assert.equal(plan.replacedGraceMs, 5000);
    assert.equal(expectKind(planCommit(rotated, same(), at(NOW), policy), "create").replacedGraceMs, undefined, "no window by default");
    const fresh = expectKind(planCommit({ ...NEW_RECORD }, same(), at(NOW), policy, 5000), "create");
    assert.equal(fresh.replacedGraceMs, undefined, "a new session replaces nothing");
  });

  it("update: markAuthenticated writes the time without rotating", () => {
    const plan = expectKind(planCommit(authenticated(stored(), NOW), same(), at(NOW), policy), "update");
    assert.deepEqual(plan.write.set, [[AUTHENTICATED_AT_FIELD, String(NOW)]]);
  });

  it("nothing: a retired record (the old token in a grace window) never writes, whatever changed", () => {
    const retired = stored({ retired: true });
    expectKind(planCommit(retired, new Map([["user", '"mallory"']]), unread, policy), "nothing");
    expectKind(planCommit(withExpiry(retired, remember), same(), unread, policy), "nothing");
  });
});
