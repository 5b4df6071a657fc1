import type { RunningApp } from "../app-process.js";
import { appsIn, sleep, type BenchContext } from "../context.js";
import { DUMMY_COOKIE, login } from "../http.js";
import { burstRequests, fireRequests, paceRequests } from "../load.js";

/** The CPU phase's requests: the two throughput scenarios, and a request without a cookie. */
export type CpuScenario = "read" | "write" | "anonymous";
export const CPU_SCENARIOS: readonly CpuScenario[] = ["read", "write", "anonymous"];
const PATHS: Record<CpuScenario, string> = { read: "/", write: "/hit", anonymous: "/" };

/** One app, scenario and round of the CPU phase. */
export interface CpuSample {
  readonly round: number;
  readonly scenario: CpuScenario;
  readonly appId: string;
  readonly offeredRate: number;
  /** Answered requests per second; below the offered rate, the app could not keep up. */
  readonly achievedRate: number;
  readonly requests: number;
  readonly failures: number;
  readonly p99Ms: number;
  /** CPU time of the app process per request, µs (its threads' run times from /proc/<pid>/task/<tid>/schedstat). */
  readonly appMicros: number;
  /** CPU time of redis-server per request, µs (used_cpu_user + used_cpu_sys from INFO cpu). */
  readonly redisMicros: number;
}

/**
 * An achieved rate this far below the offered one means the app fell behind:
 * the sample was not taken at the fixed rate (the report flags it).
 */
export const KEPT_UP_FRACTION = 0.97;

/**
 * Which apps a scenario measures: the anonymous request only on the bare
 * frameworks and the Tessera apps, but for the coalesce-off variants
 * (without a cookie the store is never called).
 */
function measures(app: RunningApp, scenario: CpuScenario): boolean {
  if (scenario !== "anonymous") return true;
  return app.spec.kind === "bare" || (app.spec.kind === "tessera" && app.spec.env?.BENCH_TESSERA_COALESCE === undefined);
}

/**
 * The rate an app is driven at, and the requests of one measurement: the
 * plan's, or the app's lower rate with as many fewer requests, so every
 * measurement lasts as long.
 */
export function cpuLoadOf(app: Pick<RunningApp["spec"], "cpuRate">, plan: BenchContext["plan"]): { rate: number; requests: number } {
  const rate = Math.min(plan.cpuRate, app.cpuRate ?? plan.cpuRate);
  return { rate, requests: Math.round((plan.cpuRequests * rate) / plan.cpuRate) };
}

/**
 * CPU per request at a fixed offered load. Throughput at saturation swings
 * with whatever else the machine runs; the CPU an app spends per request at
 * a rate it can sustain is steady. Every app is driven at `cpuRate` req/s,
 * or its own lower rate ({@link cpuLoadOf}), evenly paced ({@link paceRequests}, or autocannon's bursts with
 * `--cpu-load=bursts`, {@link burstRequests}), and the app process's CPU (/proc) and
 * redis-server's (INFO cpu) are read before and after. Apps are interleaved
 * over rounds like the throughput phase, so the differences the report
 * draws (over bare, over the floor) come from runs seconds apart.
 */
export async function cpuPhase(ctx: BenchContext): Promise<CpuSample[]> {
  const { plan } = ctx;
  const apps = appsIn(ctx, "cpu");
  const cookies = new Map<string, string | undefined>();
  for (const app of apps) cookies.set(app.spec.id, app.spec.kind === "bare" ? DUMMY_COOKIE : await login(app));
  const cookieOf = (app: RunningApp, scenario: CpuScenario): string | undefined => (scenario === "anonymous" ? undefined : cookies.get(app.spec.id));

  for (const app of apps) {
    for (const scenario of CPU_SCENARIOS.filter((s) => measures(app, s))) {
      const result = await fireRequests({ url: `${app.baseUrl}${PATHS[scenario]}`, cookie: cookieOf(app, scenario), total: plan.cpuWarmupRequests, concurrency: plan.cpuConnections });
      if (result.failed > 0) throw new Error(`${app.spec.id} ${scenario}: ${result.failed} failed warm-up requests`);
    }
  }

  const samples: CpuSample[] = [];
  for (let round = 1; round <= plan.cpuRounds; round++) {
    for (const scenario of CPU_SCENARIOS) {
      for (const app of apps.filter((a) => measures(a, scenario))) {
        await sleep(100); // the previous app's last replies and timers settle before Redis's CPU is read
        const appBefore = app.cpuMicros();
        const redisBefore = await ctx.probe.cpuMicros();
        const { rate, requests: total } = cpuLoadOf(app.spec, plan);
        const run = await (plan.cpuLoad === "bursts" ? burstRequests : paceRequests)({
          url: `${app.baseUrl}${PATHS[scenario]}`,
          cookie: cookieOf(app, scenario),
          rate,
          connections: plan.cpuConnections,
          total,
        });
        const requests = run.ok + run.failed;
        const sample: CpuSample = {
          round,
          scenario,
          appId: app.spec.id,
          offeredRate: rate,
          achievedRate: run.achievedRate,
          requests,
          failures: run.failed,
          p99Ms: run.p99Ms,
          appMicros: (app.cpuMicros() - appBefore) / requests,
          redisMicros: ((await ctx.probe.cpuMicros()) - redisBefore) / requests,
        };
        samples.push(sample);
        const behind = sample.achievedRate < KEPT_UP_FRACTION * sample.offeredRate;
        ctx.log(
          `cpu r${round} ${scenario.padEnd(9)} ${app.spec.id.padEnd(28)} ${sample.achievedRate.toFixed(0).padStart(5)} req/s  ` +
            `app ${sample.appMicros.toFixed(1).padStart(6)} µs + redis ${sample.redisMicros.toFixed(1).padStart(5)} µs  p99 ${sample.p99Ms.toFixed(1)} ms` +
            (behind ? "  BEHIND (not at the fixed rate)" : "") +
            (sample.failures ? `  FAILURES ${sample.failures}` : ""),
        );
      }
    }
  }
  return samples;
}
