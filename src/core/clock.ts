/**
 * The source of "now" for every expiry decision. Injected so tests can move
 * time with a fake clock instead of sleeping.
 */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number;
}

/** The real clock, backed by `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() };
