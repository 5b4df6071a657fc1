/**
 * `session.setExpiry`: a session's own timeouts and cookie kind ("keep me
 * signed in", a kiosk's short session), checked against the manager's
 * maximums when the app sets them. How a stored session then lives by
 * them is expiry.ts's (`withSessionExpiry`), in the same read as always.
 */
import type { SessionExpiry } from "./expiry.js";
import type { ResolvedOptions } from "./options.js";

/**
 * What `session.setExpiry` takes. Each setting left out is the manager's
 * (`idleTimeoutSeconds`, `absoluteTimeoutSeconds`, `cookie.persistent`).
 */
export interface SessionExpirySettings {
  /** This session expires after this long unused. At most the manager's `maxIdleTimeoutSeconds`. */
  idleTimeoutSeconds?: number;
  /**
   * This session expires this long after it was created, however active;
   * `false` for none (only where `maxAbsoluteTimeoutSeconds` is `false`). At
   * most the manager's `maxAbsoluteTimeoutSeconds`.
   */
  absoluteTimeoutSeconds?: number | false;
  /**
   * `true`: the cookie carries Max-Age and outlives the browser (a
   * remember-me cookie); `false`: a browser-session cookie, gone when the
   * browser closes, while the session lives on in the store until it expires.
   */
  persistent?: boolean;
}

const KNOWN_SETTINGS = new Set(["idleTimeoutSeconds", "absoluteTimeoutSeconds", "persistent"]);

/**
 * Checks `setExpiry`'s settings against the manager's options and returns
 * the session expiry to store, or undefined for `null` (back to the
 * manager's timeouts).
 *
 * @throws TypeError for anything but an object of the known settings (or null).
 * @throws RangeError for a timeout past the manager's maximum, an idle
 *   timeout not longer than the renew interval, or an absolute timeout
 *   shorter than the idle one; the message names the option to change.
 *
 * @example
 * ```ts
 * resolveSessionExpiry({ idleTimeoutSeconds: 30 * 24 * 3600, persistent: true }, manager.options);
 * ```
 */
export function resolveSessionExpiry(settings: SessionExpirySettings | null, options: ResolvedOptions): SessionExpiry | undefined {
  if (settings === null) return undefined;
  if (typeof settings !== "object" || Array.isArray(settings)) {
    throw new TypeError("session.setExpiry takes { idleTimeoutSeconds?, absoluteTimeoutSeconds?, persistent? }, or null for the manager's defaults");
  }
  for (const key of Object.keys(settings)) {
    if (!KNOWN_SETTINGS.has(key)) throw new TypeError(`session.setExpiry: unknown setting "${key}" (known: ${[...KNOWN_SETTINGS].join(", ")})`);
  }
  const { policy } = options;
  const idleTimeoutMs = settings.idleTimeoutSeconds === undefined ? policy.idleTimeoutMs : secondsToMs(settings.idleTimeoutSeconds, "idleTimeoutSeconds");
  if (idleTimeoutMs > policy.maxIdleTimeoutMs) {
    throw new RangeError(
      `session.setExpiry: idleTimeoutSeconds ${idleTimeoutMs / 1000} is past the manager's maxIdleTimeoutSeconds (${policy.maxIdleTimeoutMs / 1000}); raise that option to allow longer sessions.`,
    );
  }
  if (idleTimeoutMs <= policy.renewIntervalMs) {
    throw new RangeError(
      `session.setExpiry: idleTimeoutSeconds ${idleTimeoutMs / 1000} must be longer than the manager's renewIntervalSeconds (${policy.renewIntervalMs / 1000}), or an active session would expire between renewals.`,
    );
  }
  const absoluteTimeoutMs = resolveAbsolute(settings.absoluteTimeoutSeconds, options);
  if (absoluteTimeoutMs > 0 && absoluteTimeoutMs < idleTimeoutMs) {
    throw new RangeError(
      `session.setExpiry: absoluteTimeoutSeconds ${absoluteTimeoutMs / 1000} is shorter than idleTimeoutSeconds ${idleTimeoutMs / 1000}; the idle timeout would never matter.`,
    );
  }
  const persistent = settings.persistent ?? options.cookie.persistent;
  if (typeof persistent !== "boolean") throw new TypeError(`session.setExpiry: persistent must be true or false, got ${String(persistent)}`);
  return { idleTimeoutMs, absoluteTimeoutMs, persistent };
}

function resolveAbsolute(value: number | false | undefined, options: ResolvedOptions): number {
  const { policy } = options;
  const max = policy.maxAbsoluteTimeoutMs;
  if (value === undefined) return policy.absoluteTimeoutMs;
  if (value === false) {
    if (max > 0) {
      throw new RangeError(
        `session.setExpiry: absoluteTimeoutSeconds false (none) needs the manager's maxAbsoluteTimeoutSeconds to be false; it is ${max / 1000}.`,
      );
    }
    return 0;
  }
  const ms = secondsToMs(value, "absoluteTimeoutSeconds");
  if (max > 0 && ms > max) {
    throw new RangeError(
      `session.setExpiry: absoluteTimeoutSeconds ${ms / 1000} is past the manager's maxAbsoluteTimeoutSeconds (${max / 1000}); raise that option to allow longer sessions.`,
    );
  }
  return ms;
}

function secondsToMs(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`session.setExpiry: ${name} must be a positive number of seconds, got ${String(value)}`);
  }
  return Math.round(value * 1000);
}
