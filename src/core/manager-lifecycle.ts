/**
 * What the manager itself reports, beside what its observed store sees
 * (observed-store.ts): a request whose token names a session that is gone
 * (the `expired` event), a session migrated from another library, and a
 * commit that failed before reaching the store (its error code).
 */
import type { Clock } from "./clock.js";
import { SessionStoreError } from "./errors.js";
import type { SessionEvents } from "./lifecycle-events.js";
import type { Session } from "./session.js";
import { errorCode, type ResolvedTelemetry } from "./telemetry.js";

/** The manager's own lifecycle reports; see {@link managerLifecycle}. */
export interface ManagerLifecycle {
  /** A request presented a valid token for session `id`, and the store has no such session. */
  gone(id: string): void;
  /**
   * A `migrate` load resolved to `session`: a stored one is a session
   * served by the migration (migrated by this request, or by a concurrent
   * one of the same user within the grace window).
   */
  migrated<S extends Session<object>>(session: S, library: string): S;
  /** A commit failed; a store failure is counted by the observed store already, anything else (bad data, too large) here. */
  commitFailed(error: unknown): void;
}

/**
 * The manager's reports to its hooks and metrics; undefined when it has
 * neither, so an unobserved manager does no work for them.
 *
 * @example
 * ```ts
 * const lifecycle = managerLifecycle(resolved.events, resolved.telemetry, resolved.clock);
 * lifecycle?.gone(cookie.id);
 * ```
 */
export function managerLifecycle(events: SessionEvents | undefined, telemetry: ResolvedTelemetry | undefined, clock: Clock): ManagerLifecycle | undefined {
  if (events === undefined && telemetry === undefined) return undefined;
  const instruments = telemetry?.instruments;
  return {
    gone(id) {
      events?.emit("expired", { id, at: clock.now(), seenBy: "request", userId: undefined });
    },
    migrated(session, library) {
      if (!session.isNew) instruments?.migrations.add(1, { "tessera.migration.library": library });
      return session;
    },
    commitFailed(error) {
      if (!(error instanceof SessionStoreError)) instruments?.errors.add(1, { "tessera.operation": "commit", "error.code": errorCode(error) });
    },
  };
}
