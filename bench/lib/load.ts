import autocannon from "autocannon";

/** One load run's outcome. */
export interface LoadResult {
  /** Completed 2xx responses per second over the run's actual duration. */
  readonly requestsPerSecond: number;
  readonly requests: number;
  /** Latency percentiles in milliseconds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Non-2xx responses, connection errors and timeouts: any of them makes the run invalid. */
  readonly failures: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly method?: "GET" | "POST";
  readonly cookie?: string;
  readonly connections: number;
  /** Run for this long... */
  readonly seconds?: number;
  /** ...or for exactly this many requests. */
  readonly amount?: number;
}

/**
 * Drives one URL with autocannon (fixed headers, so requests are
 * pre-serialised and the load generator costs every app the same).
 *
 * @example
 * ```ts
 * const result = await runLoad({ url: `${app.baseUrl}/`, cookie, connections: 50, seconds: 3 });
 * ```
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? "GET",
    headers: options.cookie ? { cookie: options.cookie } : {},
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.seconds ?? 1 }),
    timeout: 10,
  });
  const elapsedSeconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  const ok = result["2xx"];
  return {
    requestsPerSecond: ok / elapsedSeconds,
    requests: ok,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}
