/**
 * The handle's lifetime rules beyond data: a session's own expiry
 * (`setExpiry`), its last real authentication (step-up checks), and the
 * read-only retired copy a regenerate's grace window leaves under the old
 * token. Pure functions over the commit planner's {@link RecordState}:
 * session-handle.ts calls them, commit-plan.ts decides what they store.
 */
import { authenticated, rotated, withExpiry, type RecordState } from "./commit-plan.js";
import { generateCsrfSecret } from "./csrf-token.js";
import { SessionRetiredError, type SessionStoreError } from "./errors.js";
import { retiredCreatedAt } from "./expiry.js";
import type { ResolvedOptions } from "./options.js";
import { CREATED_AT_FIELD } from "./record-fields.js";
import { resolveSessionExpiry, type SessionExpirySettings } from "./session-expiry.js";
import { authenticatedWithin } from "./step-up.js";

/**
 * The creation time of a loaded record, and whether it is a regenerate's
 * retired copy (grace window: it loads, read-only); undefined when the
 * fields are no record Tessera wrote (treated as an unknown token).
 *
 * @example
 * ```ts
 * loadedCreation(new Map([["@c", "1700000000000"]])); // { createdAt: 1700000000000, retired: false }
 * ```
 */
export function loadedCreation(fields: ReadonlyMap<string, string>): { createdAt: number; retired: boolean } | undefined {
  const stamped = Number(fields.get(CREATED_AT_FIELD));
  if (Number.isFinite(stamped)) return { createdAt: stamped, retired: false };
  const retiredAt = retiredCreatedAt(fields);
  return retiredAt === undefined ? undefined : { createdAt: retiredAt, retired: true };
}

/**
 * What refuses a change that must be stored to mean anything (a login, a
 * logout, a step-up, an expiry): the store outage that kept the session
 * from loading, or {@link SessionRetiredError} for a retired token;
 * undefined when the change may go ahead. `action` names it in the error.
 */
export function changeRefusal(record: RecordState, outage: SessionStoreError | undefined, action: string): Error | undefined {
  return outage ?? (record.retired ? new SessionRetiredError(action) : undefined);
}

/**
 * {@link changeRefusal} as the rejected promise a login or logout method
 * returns, or undefined when the change may go ahead.
 */
export function refusedChange(record: RecordState, outage: SessionStoreError | undefined, action: string): Promise<never> | undefined {
  const refusal = changeRefusal(record, outage, action);
  return refusal === undefined ? undefined : Promise.reject(refusal);
}

/** The state after a login (`regenerate()`, `bindUser()`): a new token and CSRF secret, authenticated `now`. */
export function loggedIn(record: RecordState, now: number): RecordState {
  return authenticated(rotated(record, generateCsrfSecret), now);
}

/**
 * `session.authenticatedWithin(seconds)`: whether the state's last real
 * authentication is at most `seconds` before `now` (step-up.ts's rule).
 *
 * @throws TypeError when `seconds` is not a positive number.
 */
export function recentlyAuthenticated(record: RecordState, now: number, seconds: number): boolean {
  return authenticatedWithin(record.authenticatedAt, now, seconds);
}

/**
 * `session.markAuthenticated()`: the state authenticated `now`.
 *
 * @throws what {@link changeRefusal} refuses it with.
 */
export function markedAuthenticated(record: RecordState, outage: SessionStoreError | undefined, now: number): RecordState {
  const refusal = changeRefusal(record, outage, "mark the session authenticated");
  if (refusal) throw refusal;
  return authenticated(record, now);
}

/**
 * `session.setExpiry(settings)`: the state with its own expiry (or the
 * manager's again, for `null`).
 *
 * @throws TypeError, RangeError for settings the manager does not allow
 *   (before anything changes; see `resolveSessionExpiry`), then what
 *   {@link changeRefusal} refuses it with.
 */
export function withOwnExpiry(
  record: RecordState,
  outage: SessionStoreError | undefined,
  settings: SessionExpirySettings | null,
  options: ResolvedOptions,
): RecordState {
  const expiry = resolveSessionExpiry(settings, options);
  const refusal = changeRefusal(record, outage, "set the session's expiry");
  if (refusal) throw refusal;
  return withExpiry(record, expiry);
}
