import autocannon from "autocannon";
import { Agent, request } from "node:http";

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
  /** Run for this long, whole seconds. */
  readonly seconds: number;
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
    duration: options.seconds,
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

/** Outcome of {@link fireRequests}. */
export interface FireResult {
  readonly ok: number;
  readonly failed: number;
}

/**
 * Sends exactly `total` requests over `concurrency` keep-alive connections
 * and returns when the last one is answered. For counting and filling
 * (commands per request, logins for bytes per session, warm-ups), where
 * autocannon's one-second granularity would only add waiting.
 *
 * @example
 * ```ts
 * await fireRequests({ url: `${app.baseUrl}/login`, method: "POST", total: 10_000, concurrency: 10 });
 * ```
 */
export async function fireRequests(options: {
  readonly url: string;
  readonly method?: "GET" | "POST";
  readonly cookie?: string;
  readonly total: number;
  readonly concurrency: number;
}): Promise<FireResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const headers = options.cookie ? { cookie: options.cookie } : {};
  let started = 0;
  let ok = 0;
  let failed = 0;
  const one = (): Promise<void> =>
    new Promise((resolveOne) => {
      const req = request(options.url, { method: options.method ?? "GET", agent, headers }, (res) => {
        res.resume();
        res.once("end", () => {
          if (res.statusCode !== undefined && res.statusCode < 300) ok++;
          else failed++;
          resolveOne();
        });
      });
      req.once("error", () => {
        failed++;
        resolveOne();
      });
      req.end();
    });
  const worker = async (): Promise<void> => {
    while (started < options.total) {
      started++;
      await one();
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { ok, failed };
}
