import type { Clock } from "../core/clock.js";

/** A clock that moves only when told to. */
export interface FakeClock extends Clock {
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void;
  /** Jumps to an absolute time, epoch ms. */
  set(epochMs: number): void;
}

/**
 * A fake clock for tests: pass it as `clock` to `createSessionManager` and
 * move time with `advance()` instead of sleeping.
 *
 * @example
 * ```ts
 * const clock = fakeClock();
 * const sessions = createSessionManager({ store: memoryStore(), clock, idleTimeoutSeconds: 60 });
 * clock.advance(61_000); // the session is now expired
 * ```
 */
export function fakeClock(startEpochMs = Date.UTC(2030, 0, 1)): FakeClock {
  let current = startEpochMs;
  return {
    now: () => current,
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError("fakeClock.advance needs a non-negative number of ms");
      current += ms;
    },
    set(epochMs) {
      current = epochMs;
    },
  };
}
