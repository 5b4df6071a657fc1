/**
 * The commit planner: from what the handle knows of its record, the data's
 * current fields, the clock and the expiry policy, decides what a commit
 * does; and the transitions of that record state (loaded, rotated, after a
 * write). Pure: no I/O, no token generation, no sealing; the handle
 * carries the plan out (record-writes.ts) and the store answers.
 */
import { isCsrfSecret } from "./csrf-token.js";
import {
  decodeSessionExpiry,
  encodeSessionExpiry,
  isRenewalDue,
  leaseEndFor,
  targetTtlMs,
  withSessionExpiry,
  type ExpiryPolicy,
  type SessionExpiry,
} from "./expiry.js";
import {
  AUTHENTICATED_AT_FIELD,
  CREATED_AT_FIELD,
  CSRF_SECRET_FIELD,
  DEVICE_FIELD,
  EXPIRY_FIELD,
  LAST_SEEN_FIELD,
  LEASE_FIELD,
  USER_ID_FIELD,
} from "./record-fields.js";
import type { StoredSession, UpdateWrite } from "./store.js";
import { bindingFromRecord, isLeaseDue, type Binding, type StoredBinding } from "./user-binding.js";

/** What the handle knows of its session's record: the planner's input, and the handle's state. */
export interface RecordState {
  /** Store id of the stored session; undefined while the session is new. */
  readonly storedId: string | undefined;
  /** Token of the stored session; undefined while the session is new. */
  readonly token: string | undefined;
  /** Store id of a session this one will replace at commit (pending regenerate). */
  readonly replacesId: string | undefined;
  /** Data fields' JSON texts as last read from or written to the store. */
  readonly baseline: ReadonlyMap<string, string>;
  readonly createdAt: number | undefined;
  readonly expiresAt: number | undefined;
  /** The binding of the stored (or replaced) record: whose index holds it, and its lease. */
  readonly binding: StoredBinding | undefined;
  /** A `bindUser` since the last commit: the next record is bound to it. */
  readonly pendingBinding: Binding | undefined;
  /** The CSRF secret, as stored or about to be. */
  readonly csrfSecret: string | undefined;
  /** The CSRF secret was created or rotated since the last write. */
  readonly csrfSecretChanged: boolean;
  /** The session's own expiry (`setExpiry`), or undefined for the manager's timeouts. */
  readonly expiry: SessionExpiry | undefined;
  /** `setExpiry` was called since the last write. */
  readonly expiryChanged: boolean;
  /** When the user last really authenticated, epoch ms (step-up checks). */
  readonly authenticatedAt: number | undefined;
  /** The authentication time was set since the last write. */
  readonly authenticatedAtChanged: boolean;
  /** The record is a regenerate's retired copy (grace window): read-only, never written. */
  readonly retired: boolean;
  /** Flashes set since the last write (`session.flash`): `@f:` field to JSON text, written (sealed) with the next commit. */
  readonly pendingFlashes: ReadonlyMap<string, string>;
  /** The flashes the stored record holds as far as this request knows (loaded or written, not taken): `@f:` field to JSON text. */
  readonly storedFlashes: ReadonlyMap<string, string>;
  /** The flashes this request took from the store, as stored: put back if the request fails (see `discardChanges`). */
  readonly takenFlashes: ReadonlyArray<readonly [string, string]>;
}

/** No flashes: shared, never mutated. */
export const NO_FLASHES: ReadonlyMap<string, string> = new Map();

/** A new session's state: nothing stored, nothing pending. */
export const NEW_RECORD: RecordState = Object.freeze({
  storedId: undefined,
  token: undefined,
  replacesId: undefined,
  baseline: new Map<string, string>(),
  createdAt: undefined,
  expiresAt: undefined,
  binding: undefined,
  pendingBinding: undefined,
  csrfSecret: undefined,
  csrfSecretChanged: false,
  expiry: undefined,
  expiryChanged: false,
  authenticatedAt: undefined,
  authenticatedAtChanged: false,
  retired: false,
  pendingFlashes: NO_FLASHES,
  storedFlashes: NO_FLASHES,
  takenFlashes: [],
});

/**
 * The state of a loaded record (id `id`, created at `createdAt`), whose
 * data fields' texts are `baseline` (see data-fields.ts); `retired` for a
 * regenerate's read-only copy.
 */
export function loadedRecord(
  stored: StoredSession,
  id: string,
  token: string,
  createdAt: number,
  baseline: ReadonlyMap<string, string>,
  retired = false,
  storedFlashes = NO_FLASHES,
): RecordState {
  const csrfSecret = stored.fields.get(CSRF_SECRET_FIELD);
  const authenticatedAt = Number(stored.fields.get(AUTHENTICATED_AT_FIELD));
  return {
    storedId: id,
    token,
    replacesId: undefined,
    baseline,
    createdAt,
    expiresAt: stored.expiresAt,
    binding: bindingFromRecord(stored.fields, createdAt),
    pendingBinding: undefined,
    csrfSecret: isCsrfSecret(csrfSecret) ? csrfSecret : undefined,
    csrfSecretChanged: false,
    expiry: decodeSessionExpiry(stored.fields.get(EXPIRY_FIELD)),
    expiryChanged: false,
    authenticatedAt: Number.isFinite(authenticatedAt) ? authenticatedAt : undefined,
    authenticatedAtChanged: false,
    retired,
    pendingFlashes: NO_FLASHES,
    storedFlashes,
    takenFlashes: [],
  };
}

/** The state once the app gave the session its own expiry (`setExpiry`), or took it back (undefined). */
export function withExpiry(record: RecordState, expiry: SessionExpiry | undefined): RecordState {
  return { ...record, expiry, expiryChanged: true };
}

/** The state once the user really authenticated at `now` (a login's rotation, `markAuthenticated`). */
export function authenticated(record: RecordState, now: number): RecordState {
  return { ...record, authenticatedAt: now, authenticatedAtChanged: true };
}

/**
 * The state once the stored session is marked to be replaced by a new
 * token at commit (regenerate, bindUser). A new session gets a fresh token
 * anyway, and a session already marked is not marked twice: rotating is
 * idempotent until the commit.
 */
export function rotated(record: RecordState, newCsrfSecret: () => string): RecordState {
  // Forms shown before (the login form) must not work after: a new CSRF
  // secret goes into the new record, in the same write (once per commit).
  if (record.csrfSecret !== undefined && !record.csrfSecretChanged) record = { ...record, csrfSecret: newCsrfSecret(), csrfSecretChanged: true };
  if (record.storedId === undefined) return record;
  // The untaken flashes move to the new record with the data (a flash set before a login shows after it).
  const pendingFlashes = record.storedFlashes.size === 0 ? record.pendingFlashes : new Map([...record.storedFlashes, ...record.pendingFlashes]);
  return { ...record, replacesId: record.storedId, storedId: undefined, token: undefined, baseline: NEW_RECORD.baseline, pendingFlashes, storedFlashes: NO_FLASHES };
}

/** A field and its text, as a write sets it. */
type FieldEntry = [string, string];

/** Creates the record (a new session, or a regenerate when `replaces` is set); the data fields are sealed and added by the handle. */
export interface CreatePlan {
  readonly kind: "create";
  /** The clock's time the plan was made for, epoch ms. */
  readonly now: number;
  readonly createdAt: number;
  readonly ttlMs: number;
  /** The reserved fields of the new record. */
  readonly meta: readonly FieldEntry[];
  readonly replaces: string | undefined;
  /** The binding the new record carries, if any, and its lease end. */
  readonly binding: Binding | undefined;
  readonly leaseEnd: number;
  /** The binding is new: the user's `maxSessionsPerUser` is enforced after the write. */
  readonly newlyBound: boolean;
  /** The CSRF secret the record gets. */
  readonly csrfSecret: string | undefined;
  /** The own expiry the record gets. */
  readonly expiry: SessionExpiry | undefined;
  /** The authentication time the record gets. */
  readonly authenticatedAt: number | undefined;
  /** With `replaces`: retire the old record for this long instead of deleting it (grace window). */
  readonly replacedGraceMs: number | undefined;
  /** The flashes the record gets (sealed like data by the handle). */
  readonly flashes: ReadonlyMap<string, string>;
}

/** Changes the stored record. `write.set` holds data fields as JSON (the handle seals them) and then reserved ones. */
export interface UpdatePlan {
  readonly kind: "update";
  /** The clock's time the plan was made for, epoch ms. */
  readonly now: number;
  readonly write: UpdateWrite;
  /** How many of `write.set`'s first entries are data fields and flashes: the ones sealed when `encryptData` is on. */
  readonly dataFields: number;
  /** The flashes this write stores. */
  readonly flashes: ReadonlyMap<string, string>;
  /** The new expiry when the write moves it (the cookie must follow), else undefined. */
  readonly expiresAt: number | undefined;
  /** The lease is extended to `leaseEnd`: index the session first. */
  readonly reindex: boolean;
  /** The record's lease after the write, when bound. */
  readonly leaseEnd: number | undefined;
  /** The CSRF secret this write stores, if any. */
  readonly csrfSecret: string | undefined;
  /** This write stores (or removes) the own expiry, `expiry`. */
  readonly expiryWritten: boolean;
  readonly expiry: SessionExpiry | undefined;
  /** The authentication time this write stores, if any. */
  readonly authenticatedAt: number | undefined;
}

/**
 * What a commit does:
 * - `nothing`: no change to store (an empty new session is never stored);
 * - `drop`: the session is over (past its absolute timeout): forget it and clear the cookie;
 * - `destroyReplaced`: a regenerated session was emptied: the old record still dies, then drop;
 * - `create`: a new record, replacing the old one on a regenerate or a binding;
 * - `update`: changed fields, the renewal and the lease of the stored record.
 */
export type CommitPlan =
  | { readonly kind: "nothing" }
  | { readonly kind: "drop" }
  | { readonly kind: "destroyReplaced"; readonly replacesId: string }
  | CreatePlan
  | UpdatePlan;

const NOTHING: CommitPlan = Object.freeze({ kind: "nothing" });
const DROP: CommitPlan = Object.freeze({ kind: "drop" });

/** The clock the planner reads, only when a decision needs the time: most commits change nothing and never read it. */
export interface PlanClock {
  now(): number;
}

/**
 * Plans one commit of `state` with the data's current `fields` (JSON texts).
 * `regenerateGraceMs`: a regenerate's create retires the old record for
 * this long instead of deleting it (`regenerateGraceSeconds`). A retired
 * record (a request carrying the old token within the window) plans nothing:
 * its changes are dropped, never resurrecting the old token.
 *
 * @example
 * ```ts
 * planCommit(NEW_RECORD, new Map([["theme", '"dark"']]), { now: () => 1000 }, policy).kind; // "create"
 * ```
 */
export function planCommit(
  state: RecordState,
  fields: ReadonlyMap<string, string>,
  clock: PlanClock,
  policy: ExpiryPolicy,
  regenerateGraceMs = 0,
): CommitPlan {
  const { storedId, binding } = state;
  if (state.retired) return NOTHING;
  if (storedId === undefined) {
    if (fields.size === 0 && state.pendingBinding === undefined && binding === undefined && !state.csrfSecretChanged && state.pendingFlashes.size === 0) {
      // An empty new session is never stored, but a regenerate of a
      // session that was then emptied still kills the old one.
      return state.replacesId === undefined ? NOTHING : { kind: "destroyReplaced", replacesId: state.replacesId };
    }
    return planCreate(state, clock.now(), policy, regenerateGraceMs);
  }
  if (state.csrfSecretChanged || state.expiryChanged || state.authenticatedAtChanged || state.pendingFlashes.size > 0 || !sameFields(fields, state.baseline)) {
    return planUpdate(state, fields, clock.now(), policy);
  }
  if (binding === undefined) return NOTHING;
  const now = clock.now();
  return isLeaseDue(binding.leaseEnd, state.createdAt!, now, withSessionExpiry(policy, state.expiry)) ? planUpdate(state, fields, now, policy) : NOTHING;
}

function sameFields(fields: ReadonlyMap<string, string>, baseline: ReadonlyMap<string, string>): boolean {
  if (fields.size !== baseline.size) return false;
  for (const [key, text] of fields) if (baseline.get(key) !== text) return false;
  return true;
}

function planCreate(state: RecordState, now: number, managerPolicy: ExpiryPolicy, regenerateGraceMs: number): CommitPlan {
  const createdAt = state.createdAt ?? now;
  // The session's own expiry survives regenerates, like its creation time.
  const { expiry, authenticatedAt } = state;
  const policy = withSessionExpiry(managerPolicy, expiry);
  let ttlMs = targetTtlMs(createdAt, now, policy);
  if (ttlMs <= 0) return DROP; // regenerating a session past its absolute timeout: it is over
  const meta: FieldEntry[] = [[CREATED_AT_FIELD, String(createdAt)]];
  // The binding survives regenerates; a pending one replaces it.
  const binding = state.pendingBinding ?? state.binding;
  const leaseEnd = leaseEndFor(createdAt, now, policy);
  if (binding !== undefined) {
    meta.push([USER_ID_FIELD, binding.userId], [DEVICE_FIELD, binding.device], [LEASE_FIELD, String(leaseEnd)], [LAST_SEEN_FIELD, String(now)]);
    ttlMs = Math.min(ttlMs, leaseEnd - now);
  }
  const csrfSecret = state.csrfSecret;
  if (csrfSecret !== undefined) meta.push([CSRF_SECRET_FIELD, csrfSecret]);
  if (expiry !== undefined) meta.push([EXPIRY_FIELD, encodeSessionExpiry(expiry)]);
  if (authenticatedAt !== undefined) meta.push([AUTHENTICATED_AT_FIELD, String(authenticatedAt)]);
  return {
    kind: "create",
    now,
    createdAt,
    ttlMs,
    meta,
    replaces: state.replacesId,
    binding: binding === undefined ? undefined : { userId: binding.userId, device: binding.device },
    leaseEnd,
    newlyBound: state.pendingBinding !== undefined,
    csrfSecret,
    expiry,
    authenticatedAt,
    replacedGraceMs: state.replacesId !== undefined && regenerateGraceMs > 0 ? regenerateGraceMs : undefined,
    flashes: state.pendingFlashes,
  };
}

function planUpdate(state: RecordState, fields: ReadonlyMap<string, string>, now: number, managerPolicy: ExpiryPolicy): CommitPlan {
  const { baseline, binding, expiryChanged } = state;
  const policy = withSessionExpiry(managerPolicy, state.expiry);
  const set: FieldEntry[] = [];
  for (const [key, text] of fields) if (baseline.get(key) !== text) set.push([key, text]);
  for (const entry of state.pendingFlashes) set.push(entry);
  const dataFields = set.length;
  const del: string[] = [];
  for (const key of baseline.keys()) if (!fields.has(key)) del.push(key);
  const createdAt = state.createdAt!;
  let ttlMs = targetTtlMs(createdAt, now, policy);
  if (ttlMs <= 0) return DROP; // past the absolute timeout: never written again
  let leaseEnd: number | undefined;
  let reindex = false;
  if (binding !== undefined) {
    leaseEnd = binding.leaseEnd;
    if (isLeaseDue(leaseEnd, createdAt, now, policy)) {
      reindex = true;
      leaseEnd = leaseEndFor(createdAt, now, policy);
      set.push([LEASE_FIELD, String(leaseEnd)]);
      // No user id here: a binding always creates a new record.
    }
    ttlMs = Math.min(ttlMs, leaseEnd - now);
    if (ttlMs <= 0) return DROP; // the lease ended and cannot be extended
    set.push([LAST_SEEN_FIELD, String(now)]);
  }
  const csrfSecret = state.csrfSecretChanged ? state.csrfSecret : undefined;
  if (csrfSecret !== undefined) set.push([CSRF_SECRET_FIELD, csrfSecret]);
  if (expiryChanged) {
    if (state.expiry === undefined) del.push(EXPIRY_FIELD);
    else set.push([EXPIRY_FIELD, encodeSessionExpiry(state.expiry)]);
  }
  const authenticatedAt = state.authenticatedAtChanged ? state.authenticatedAt : undefined;
  if (authenticatedAt !== undefined) set.push([AUTHENTICATED_AT_FIELD, String(authenticatedAt)]);
  // Move the expiry only when it is due, like a read's renewal: the cookie
  // must follow every move, and re-sending it on every write costs. A new
  // own expiry always moves it, earlier too (a shorter session), and the
  // cookie follows (a new Max-Age, or none).
  const renew = expiryChanged || isRenewalDue(state.expiresAt ?? 0, now + ttlMs, policy);
  const write: UpdateWrite = renew ? { kind: "update", set, del, ttlMs } : { kind: "update", set, del };
  return {
    kind: "update",
    now,
    write,
    dataFields,
    flashes: state.pendingFlashes,
    expiresAt: renew ? now + ttlMs : undefined,
    reindex,
    leaseEnd,
    csrfSecret,
    expiryWritten: expiryChanged,
    expiry: state.expiry,
    authenticatedAt,
  };
}

/**
 * The state after a plan's create was written as record `id` under `token`.
 * `current` is the state now: a CSRF secret created while the write was in
 * flight stays pending for the next commit.
 */
export function afterCreate(current: RecordState, plan: CreatePlan, id: string, token: string, fields: ReadonlyMap<string, string>): RecordState {
  return {
    storedId: id,
    token,
    replacesId: undefined,
    baseline: fields,
    createdAt: plan.createdAt,
    expiresAt: plan.now + plan.ttlMs,
    binding: plan.binding && { ...plan.binding, leaseEnd: plan.leaseEnd },
    pendingBinding: undefined,
    csrfSecret: current.csrfSecret,
    csrfSecretChanged: current.csrfSecretChanged && current.csrfSecret !== plan.csrfSecret,
    expiry: current.expiry,
    // A setExpiry or markAuthenticated made while the write was in flight stays pending.
    expiryChanged: current.expiryChanged && current.expiry !== plan.expiry,
    authenticatedAt: current.authenticatedAt,
    authenticatedAtChanged: current.authenticatedAtChanged && current.authenticatedAt !== plan.authenticatedAt,
    retired: false,
    pendingFlashes: unwritten(current.pendingFlashes, plan.flashes),
    storedFlashes: plan.flashes,
    takenFlashes: current.takenFlashes,
  };
}

/** The state after a plan's update was written (see {@link afterCreate} for `current`). */
export function afterUpdate(current: RecordState, plan: UpdatePlan, fields: ReadonlyMap<string, string>): RecordState {
  const binding = current.binding;
  // A literal, not a spread: this runs on every write.
  return {
    storedId: current.storedId,
    token: current.token,
    replacesId: current.replacesId,
    baseline: fields,
    createdAt: current.createdAt,
    expiresAt: plan.expiresAt ?? current.expiresAt,
    binding: binding && plan.leaseEnd !== undefined && plan.leaseEnd !== binding.leaseEnd ? { ...binding, leaseEnd: plan.leaseEnd } : binding,
    pendingBinding: current.pendingBinding,
    csrfSecret: current.csrfSecret,
    csrfSecretChanged: current.csrfSecretChanged && current.csrfSecret !== plan.csrfSecret,
    expiry: current.expiry,
    expiryChanged: current.expiryChanged && !(plan.expiryWritten && current.expiry === plan.expiry),
    authenticatedAt: current.authenticatedAt,
    authenticatedAtChanged: current.authenticatedAtChanged && current.authenticatedAt !== plan.authenticatedAt,
    retired: current.retired,
    pendingFlashes: unwritten(current.pendingFlashes, plan.flashes),
    storedFlashes: plan.flashes.size === 0 ? current.storedFlashes : new Map([...current.storedFlashes, ...plan.flashes]),
    takenFlashes: current.takenFlashes,
  };
}

/** The flashes of `pending` that `written` did not store as they are now (set again while the write was in flight). */
function unwritten(pending: ReadonlyMap<string, string>, written: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  if (pending === written || pending.size === 0) return NO_FLASHES;
  const left = new Map<string, string>();
  for (const [field, text] of pending) if (written.get(field) !== text) left.set(field, text);
  return left.size === 0 ? NO_FLASHES : left;
}
