/**
 * The expiry rules, in one place: how long a session lives now (idle and
 * absolute timeouts, a bound session's lease), when a renewal is due, and
 * how long a bound session's index lease runs. The core, the memory store
 * and the Redis store all decide expiry through these functions.
 */
import { CREATED_AT_FIELD, EXPIRY_FIELD, LEASE_FIELD, RETIRED_FIELD, TOMBSTONE_FIELD, USER_ID_FIELD } from "./record-fields.js";

/** How long sessions live; all durations in milliseconds. */
export interface ExpiryPolicy {
  /** A session idle this long expires. */
  readonly idleTimeoutMs: number;
  /** A session expires this long after creation, however active. 0 = no absolute limit. */
  readonly absoluteTimeoutMs: number;
  /** An unchanged session's expiry is pushed forward at most once per this interval. */
  readonly renewIntervalMs: number;
  /**
   * The longest idle timeout a session's own expiry ({@link EXPIRY_FIELD})
   * may have; a longer one is cut to it when the record is read. Undefined:
   * no cap (a policy written before per-session expiry existed).
   */
  readonly maxIdleTimeoutMs?: number;
  /**
   * The longest absolute timeout a session's own expiry may have (0: a
   * session may have none); undefined: no cap.
   */
  readonly maxAbsoluteTimeoutMs?: number;
}

/** A session's own timeouts (`session.setExpiry`), in place of the manager's; durations in ms. */
export interface SessionExpiry {
  readonly idleTimeoutMs: number;
  /** 0: no absolute timeout. */
  readonly absoluteTimeoutMs: number;
  /** The cookie carries Max-Age (true) or lives as long as the browser (false). */
  readonly persistent: boolean;
}

/** The text of {@link EXPIRY_FIELD}; the Lua `renewOnLoad` reads it with the same pattern. */
const EXPIRY_TEXT = /^(\d+),(\d+),([01])$/;

/**
 * A session's own expiry as {@link EXPIRY_FIELD} stores it.
 *
 * @example
 * ```ts
 * encodeSessionExpiry({ idleTimeoutMs: 2_592_000_000, absoluteTimeoutMs: 0, persistent: true }); // "2592000000,0,1"
 * ```
 */
export function encodeSessionExpiry(expiry: SessionExpiry): string {
  return `${expiry.idleTimeoutMs},${expiry.absoluteTimeoutMs},${expiry.persistent ? 1 : 0}`;
}

/** The session expiry a field holds, or undefined for none or anything malformed (the manager's timeouts then apply). */
export function decodeSessionExpiry(text: string | undefined): SessionExpiry | undefined {
  if (text === undefined) return undefined;
  const match = EXPIRY_TEXT.exec(text);
  if (match === null) return undefined;
  const idleTimeoutMs = Number(match[1]);
  if (!(idleTimeoutMs > 0)) return undefined;
  return { idleTimeoutMs, absoluteTimeoutMs: Number(match[2]), persistent: match[3] === "1" };
}

/**
 * The policy of one session: the manager's, with a session's own timeouts
 * in place of its idle and absolute ones, each cut to the manager's
 * maximum (so lowering a maximum shortens existing sessions at their next
 * read). The renew interval stays the manager's.
 */
export function withSessionExpiry(policy: ExpiryPolicy, expiry: SessionExpiry | undefined): ExpiryPolicy {
  if (expiry === undefined) return policy;
  const maxIdle = policy.maxIdleTimeoutMs;
  const maxAbsolute = policy.maxAbsoluteTimeoutMs;
  let absolute = expiry.absoluteTimeoutMs;
  if (maxAbsolute !== undefined && maxAbsolute > 0 && (absolute <= 0 || absolute > maxAbsolute)) absolute = maxAbsolute;
  return {
    ...policy,
    idleTimeoutMs: maxIdle !== undefined && expiry.idleTimeoutMs > maxIdle ? maxIdle : expiry.idleTimeoutMs,
    absoluteTimeoutMs: absolute,
  };
}

/** The policy a stored record lives by: {@link withSessionExpiry} with its {@link EXPIRY_FIELD}. */
export function sessionPolicy(fields: ReadonlyMap<string, string>, policy: ExpiryPolicy): ExpiryPolicy {
  const text = fields.get(EXPIRY_FIELD);
  return text === undefined ? policy : withSessionExpiry(policy, decodeSessionExpiry(text));
}

/**
 * The creation time of a retired record (see {@link RETIRED_FIELD}: the
 * read-only copy of a regenerate's grace window), or undefined for anything
 * else: a record, a tombstone (even one written over a retired copy by a
 * revoke), or no Tessera record at all.
 */
export function retiredCreatedAt(fields: ReadonlyMap<string, string>): number | undefined {
  if (fields.has(CREATED_AT_FIELD) || fields.has(TOMBSTONE_FIELD)) return undefined;
  const createdAt = Number(fields.get(RETIRED_FIELD));
  return fields.has(RETIRED_FIELD) && Number.isFinite(createdAt) ? createdAt : undefined;
}


/**
 * The time to live a session should have now: the idle timeout, capped by
 * what is left of the absolute timeout. Zero or less means expired.
 */
export function targetTtlMs(createdAt: number, now: number, policy: ExpiryPolicy): number {
  const idle = policy.idleTimeoutMs;
  if (policy.absoluteTimeoutMs <= 0) return idle;
  return Math.min(idle, createdAt + policy.absoluteTimeoutMs - now);
}

/**
 * The time to live a stored record should have now, from its own fields:
 * {@link targetTtlMs}, further capped by the lease of a bound session. Zero
 * or less means the record is over; NaN means it has no creation time (not
 * a record Tessera wrote).
 */
export function recordTtlMs(fields: ReadonlyMap<string, string>, now: number, policy: ExpiryPolicy): number {
  const createdAt = Number(fields.get(CREATED_AT_FIELD));
  // Checked here, not left to targetTtlMs: with the absolute timeout off it
  // never reads createdAt, and a hash without one (a revoke's tombstone) must
  // not pass for a session.
  if (!Number.isFinite(createdAt)) return Number.NaN;
  const target = targetTtlMs(createdAt, now, sessionPolicy(fields, policy));
  const lease = fields.get(LEASE_FIELD);
  return lease === undefined ? target : Math.min(target, Number(lease) - now);
}

/**
 * Whether moving an expiry from `currentExpiresAt` to `targetExpiresAt`
 * (epoch ms) is due: only moves of at least the renew interval are made, so
 * the store and the cookie are touched at most once per interval.
 */
export function isRenewalDue(currentExpiresAt: number, targetExpiresAt: number, policy: ExpiryPolicy): boolean {
  return targetExpiresAt - currentExpiresAt >= policy.renewIntervalMs;
}

/**
 * Whether a record with its own expiry ({@link EXPIRY_FIELD}) must be cut
 * back: its expiry lies past its target by the renew interval or more,
 * because the manager's maximum was lowered since it was written. Only such
 * records move earlier on a read; the manager's own sessions never do.
 */
export function isCutDue(currentExpiresAt: number, targetExpiresAt: number, policy: ExpiryPolicy): boolean {
  return currentExpiresAt - targetExpiresAt >= policy.renewIntervalMs;
}

/**
 * The policy with renewals switched off: no load or commit under it moves
 * a session's expiry (the renew interval is beyond any session's life). For
 * loads that are not the user's activity, such as a WebSocket's.
 */
export function withoutRenewal<P extends ExpiryPolicy>(policy: P): P {
  return { ...policy, renewIntervalMs: Number.MAX_SAFE_INTEGER };
}

/**
 * What a load does to a stored record's expiry ({@link renewalOnLoad}):
 * the record is over; or it lives on unchanged; or its expiry moves to
 * `now + ttlMs`, and, for a bound session, its last-seen field (`LAST_SEEN_FIELD`) is set
 * to `now` in the same step.
 */
export type LoadRenewal =
  | { readonly expired: true }
  | { readonly expired: false; readonly renew: false }
  | { readonly expired: false; readonly renew: true; readonly ttlMs: number; readonly touchLastSeen: boolean };

const NO_RENEWAL: LoadRenewal = Object.freeze({ expired: false, renew: false });

/**
 * The renewal rule of a store's load, the one every store follows (the
 * Redis store's Lua load script mirrors it line for line): a retired
 * record ({@link retiredCreatedAt}) lives out its grace unchanged; the record is
 * over when {@link recordTtlMs} is not positive (or NaN: not a record);
 * otherwise its expiry is pushed to that TTL when the move is due
 * ({@link isRenewalDue}; for a record with its own expiry, a cut back to a
 * lowered maximum too: {@link isCutDue}), or always when the record holds no expiry
 * (`currentTtlMs` undefined). A renewal of a bound record (one with
 * {@link USER_ID_FIELD}) also records last-seen.
 *
 * @example
 * ```ts
 * const renewal = renewalOnLoad(fields, record.expiresAt - now, now, policy);
 * if (!renewal.expired && renewal.renew) record.expiresAt = now + renewal.ttlMs;
 * ```
 */
export function renewalOnLoad(
  fields: ReadonlyMap<string, string>,
  currentTtlMs: number | undefined,
  now: number,
  policy: ExpiryPolicy,
): LoadRenewal {
  const ttlMs = recordTtlMs(fields, now, policy);
  if (Number.isNaN(ttlMs) && retiredCreatedAt(fields) !== undefined) return NO_RENEWAL;
  if (!(ttlMs > 0)) return { expired: true };
  if (
    currentTtlMs !== undefined &&
    !isRenewalDue(now + currentTtlMs, now + ttlMs, policy) &&
    !(fields.has(EXPIRY_FIELD) && isCutDue(now + currentTtlMs, now + ttlMs, policy))
  ) {
    return NO_RENEWAL;
  }
  return { expired: false, renew: true, ttlMs, touchLastSeen: fields.has(USER_ID_FIELD) };
}

/**
 * A bound session's index entry is kept this much longer than its lease:
 * Redis starts a TTL when the command arrives, a few milliseconds after the
 * app read its clock, and app instances' clocks differ slightly. The grace
 * keeps "the entry outlives the session" true despite both.
 */
export const INDEX_GRACE_MS = 1000;

/** A bound session's lease spans this many idle timeouts, so it is extended about once per idle timeout of activity. */
const LEASE_IDLE_PERIODS = 2;

/**
 * The lease a bound session gets when it is bound or its lease is
 * extended: two idle timeouts from now, but never past the absolute
 * timeout (the session cannot live longer than that anyway).
 */
export function leaseEndFor(createdAt: number, now: number, policy: ExpiryPolicy): number {
  const wanted = now + LEASE_IDLE_PERIODS * policy.idleTimeoutMs;
  return policy.absoluteTimeoutMs > 0 ? Math.min(wanted, createdAt + policy.absoluteTimeoutMs) : wanted;
}
