import { appsIn, type BenchContext } from "../context.js";
import { DUMMY_COOKIE, login } from "../http.js";
import { fireRequests, runLoad } from "../load.js";

export type Scenario = "read" | "write";

/** Route of each throughput scenario: an authenticated read, and a write on every request. */
export const SCENARIO_PATHS: Record<Scenario, string> = { read: "/", write: "/hit" };

export interface ThroughputSample {
  readonly round: number;
  readonly scenario: Scenario;
  readonly appId: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: number;
  /** CPU the app process used per request, µs (from /proc). */
  readonly appCpuMicros: number;
  /** CPU redis-server used per request, µs (INFO cpu). */
  readonly redisCpuMicros: number;
}

/**
 * Throughput and latency: every app, every scenario, interleaved over rounds
 * (round 1: A B C..., round 2: A B C...), so slow drift in the machine's load
 * hits every app alike, and each app's ratio to its bare framework comes from
 * two measurements taken seconds apart in the same round.
 */
export async function throughputPhase(ctx: BenchContext): Promise<ThroughputSample[]> {
  const { plan } = ctx;
  const apps = appsIn(ctx, "throughput");
  const cookies = new Map<string, string>();
  for (const app of apps) cookies.set(app.spec.id, app.spec.kind === "bare" ? DUMMY_COOKIE : await login(app));

  const samples: ThroughputSample[] = [];
  for (let round = 1; round <= plan.rounds; round++) {
    for (const scenario of ["read", "write"] as const) {
      for (const app of apps) {
        const url = `${app.baseUrl}${SCENARIO_PATHS[scenario]}`;
        const cookie = cookies.get(app.spec.id);
        if (round === 1) await fireRequests({ url, cookie, total: plan.warmupRequests, concurrency: plan.connections });
        const appCpuBefore = app.cpuMicros();
        const redisCpuBefore = await ctx.probe.cpuMicros();
        const result = await runLoad({ url, cookie, connections: plan.connections, seconds: plan.measureSeconds });
        const appCpuMicros = (app.cpuMicros() - appCpuBefore) / result.requests;
        const redisCpuMicros = ((await ctx.probe.cpuMicros()) - redisCpuBefore) / result.requests;
        samples.push({
          round,
          scenario,
          appId: app.spec.id,
          requestsPerSecond: result.requestsPerSecond,
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          failures: result.failures,
          appCpuMicros,
          redisCpuMicros,
        });
        ctx.log(
          `throughput r${round} ${scenario.padEnd(5)} ${app.spec.id.padEnd(18)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  ` +
            `p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  cpu app ${appCpuMicros.toFixed(1)} µs + redis ${redisCpuMicros.toFixed(1)} µs` +
            (result.failures ? `  FAILURES ${result.failures}` : ""),
        );
      }
    }
  }
  return samples;
}
