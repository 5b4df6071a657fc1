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
  const client = keepAliveClient(options.url, options.method ?? "GET", options.cookie, options.concurrency);
  let started = 0;
  let ok = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (started < options.total) {
      started++;
      if (await client.send()) ok++;
      else failed++;
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    client.close();
  }
  return { ok, failed };
}

/** Outcome of {@link paceRequests}. */
export interface PacedResult {
  /** 2xx responses. */
  readonly ok: number;
  /** Non-2xx responses and connection errors. */
  readonly failed: number;
  /** Requests answered per second, from the first scheduled send to the last answer. */
  readonly achievedRate: number;
  /** Latency percentiles in milliseconds (send to last byte). */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** A fixed-rate load: `total` GET requests at `rate` per second over `connections` keep-alive connections. */
export interface FixedRateLoad {
  readonly url: string;
  /** The Cookie header every request carries, if any. */
  readonly cookie?: string;
  readonly rate: number;
  readonly connections: number;
  readonly total: number;
}

/**
 * Sends `total` requests at a fixed rate: request i is due at
 * start + i / rate, sent by the first of `connections` keep-alive
 * connections that is free (one request in flight per connection). While
 * the app keeps up, every request leaves on time (to the timer's 1 ms) and
 * the achieved rate is the offered one; when it falls behind, requests leave
 * late and the achieved rate says by how much.
 *
 * Why not autocannon's `overallRate`: it lets each connection send its
 * share of a second back to back at the start of that second, then idle, so
 * the app is saturated in bursts instead of loaded evenly.
 *
 * @example
 * ```ts
 * const run = await paceRequests({ url: `${app.baseUrl}/`, cookie, rate: 4000, connections: 20, total: 20_000 });
 * if (run.achievedRate < 0.97 * 4000) console.log("the app could not keep up");
 * ```
 */
export async function paceRequests(options: FixedRateLoad): Promise<PacedResult> {
  const client = keepAliveClient(options.url, "GET", options.cookie, options.connections);
  const intervalMs = 1000 / options.rate;
  const latencies: number[] = [];
  let next = 0;
  let ok = 0;
  let failed = 0;
  let lastAnswer = 0;
  // Opening the connections is not part of the measurement: the first
  // requests are due a little after they are ready.
  const start = performance.now() + 20;
  const worker = async (): Promise<void> => {
    while (next < options.total) {
      const due = start + next++ * intervalMs;
      const wait = due - performance.now();
      // setTimeout has 1 ms granularity: a request due sooner leaves at once.
      if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const sent = performance.now();
      if (await client.send()) ok++;
      else failed++;
      lastAnswer = performance.now();
      latencies.push(lastAnswer - sent);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, worker));
  } finally {
    client.close();
  }
  latencies.sort((a, b) => a - b);
  const percentile = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return { ok, failed, achievedRate: (ok + failed) / ((lastAnswer - start) / 1000), p50Ms: percentile(0.5), p99Ms: percentile(0.99) };
}

/**
 * Sends `total` requests with autocannon's `overallRate`: each connection
 * may send `rate / connections` requests per second, back to back from the
 * start of each second, then waits for the next second. The offered rate is
 * kept on average, in bursts that saturate the app for part of each second.
 *
 * @example
 * ```ts
 * const run = await burstRequests({ url: `${app.baseUrl}/`, cookie, rate: 4000, connections: 20, total: 20_000 });
 * ```
 */
export async function burstRequests(options: FixedRateLoad): Promise<PacedResult> {
  const result = await autocannon({
    url: options.url,
    headers: options.cookie ? { cookie: options.cookie } : {},
    connections: options.connections,
    overallRate: options.rate,
    amount: options.total,
    timeout: 10,
  });
  // The last second's burst ends early, so a run that kept up lasts less
  // than ceil(total / rate) seconds: that is its duration. Beyond it (with
  // 100 ms for autocannon's start-up and timers) the app fell behind.
  const elapsed = (result.finish.getTime() - result.start.getTime()) / 1000;
  const scheduled = Math.ceil(options.total / options.rate);
  const seconds = elapsed <= scheduled + 0.1 ? scheduled : elapsed;
  const failed = result.non2xx + result.errors + result.timeouts;
  return { ok: result["2xx"], failed, achievedRate: (result["2xx"] + failed) / seconds, p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

/** Requests to one URL over a pool of keep-alive connections; `send()` resolves true on a 2xx answer. */
function keepAliveClient(url: string, method: "GET" | "POST", cookie: string | undefined, connections: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const headers = cookie ? { cookie } : {};
  return {
    send: (): Promise<boolean> =>
      new Promise((resolveOne) => {
        const req = request(url, { method, agent, headers }, (res) => {
          res.resume();
          res.once("end", () => resolveOne(res.statusCode !== undefined && res.statusCode < 300));
        });
        req.once("error", () => resolveOne(false));
        req.end();
      }),
    close: (): void => agent.destroy(),
  };
}
