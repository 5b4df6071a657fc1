import { randomInt } from "node:crypto";

/**
 * The seed for a fuzzing file's properties: `FUZZ_SEED` when set (to replay
 * a run whose seed a failure printed), else a fresh one.
 *
 * @example
 * ```ts
 * const SEED = fuzzSeed();
 * fc.assert(property, { seed: SEED, numRuns: 10_000 });
 * ```
 */
export function fuzzSeed(): number {
  const text = process.env.FUZZ_SEED;
  if (text === undefined || text === "") return randomInt(2 ** 31);
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(text)}`);
  return seed;
}
