/** The median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median with the range it came from. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Median, min and max of a non-empty list. */
export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * The cost one request adds over the bare framework, in microseconds, from
 * two throughputs measured in the same round: 1e6/req/s − 1e6/bare req/s.
 * With a fixed number of connections this is added service time, the figure
 * that compares across frameworks of different speeds.
 */
export function addedMicros(requestsPerSecond: number, bareRequestsPerSecond: number): number {
  return 1e6 / requestsPerSecond - 1e6 / bareRequestsPerSecond;
}
