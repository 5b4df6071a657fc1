/**
 * Step-up ("sudo mode") checks: has the user really authenticated within
 * the last N seconds? The time is kept in the session
 * (the record field `AUTHENTICATED_AT_FIELD`): a login's `regenerate()` or
 * `bindUser()` sets it, and so does `session.markAuthenticated()` after a
 * re-entered password or a second factor.
 */

/**
 * Whether an authentication at `authenticatedAt` (epoch ms; undefined:
 * never) happened within `seconds` of `now`. A time in the future (another
 * instance's clock ahead of this one) counts as now.
 *
 * @throws TypeError when `seconds` is not a positive number.
 *
 * @example
 * ```ts
 * authenticatedWithin(Date.now() - 60_000, Date.now(), 300); // true
 * ```
 */
export function authenticatedWithin(authenticatedAt: number | undefined, now: number, seconds: number): boolean {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new TypeError(`session.authenticatedWithin(seconds) needs a positive number of seconds, got ${String(seconds)}`);
  }
  return authenticatedAt !== undefined && now - authenticatedAt <= seconds * 1000;
}
