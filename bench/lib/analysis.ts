import type { AppSpec } from "./apps.js";
import type { ScaleResult } from "./phases/scale.js";
import type { Scenario, ThroughputSample } from "./phases/throughput.js";
import { addedMicros, median, spread, type Spread } from "./stats.js";

/** One app in one throughput scenario, over all rounds. */
export interface ThroughputRow {
  readonly app: AppSpec;
  readonly scenario: Scenario;
  readonly rounds: number;
  readonly requestsPerSecond: Spread;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** req/s ÷ the bare framework's req/s, per round. Undefined for the bare apps. */
  readonly ratioToBare: Spread | undefined;
  /** Added µs per request over the bare framework, per round. */
  readonly addedMicros: Spread | undefined;
  readonly failures: number;
  /** Median CPU per request of the app process and of redis-server, µs. */
  readonly appCpuMicros: number;
  readonly redisCpuMicros: number;
}

/**
 * Folds the interleaved samples into one row per app and scenario. Ratios and
 * added cost are computed per round (against the bare framework's run in
 * that same round), then summarised: noise that hits a whole round cancels.
 */
export function summarizeThroughput(samples: readonly ThroughputSample[], apps: readonly AppSpec[]): ThroughputRow[] {
  const rows: ThroughputRow[] = [];
  for (const scenario of ["read", "write"] as const) {
    for (const app of apps) {
      const own = samples.filter((s) => s.scenario === scenario && s.appId === app.id);
      if (own.length === 0) continue;
      const ratios: number[] = [];
      const added: number[] = [];
      if (app.kind !== "bare") {
        for (const sample of own) {
          const bare = samples.find((s) => s.scenario === scenario && s.round === sample.round && s.appId === `bare-${app.framework}`);
          if (!bare) continue;
          ratios.push(sample.requestsPerSecond / bare.requestsPerSecond);
          added.push(addedMicros(sample.requestsPerSecond, bare.requestsPerSecond));
        }
      }
      rows.push({
        app,
        scenario,
        rounds: own.length,
        requestsPerSecond: spread(own.map((s) => s.requestsPerSecond)),
        p50Ms: median(own.map((s) => s.p50Ms)),
        p99Ms: median(own.map((s) => s.p99Ms)),
        ratioToBare: ratios.length ? spread(ratios) : undefined,
        addedMicros: added.length ? spread(added) : undefined,
        failures: own.reduce((sum, s) => sum + s.failures, 0),
        appCpuMicros: median(own.map((s) => s.appCpuMicros)),
        redisCpuMicros: median(own.map((s) => s.redisCpuMicros)),
      });
    }
  }
  return rows;
}

/** One app and scenario in the scale phase. */
export interface ScaleRow {
  readonly appId: string;
  readonly scenario: Scenario;
  /** Median µs per request (1e6 / req/s) with few and with many sessions stored. */
  readonly smallMicros: number;
  readonly largeMicros: number;
  /** large ÷ small per-request cost, per round. */
  readonly costRatio: Spread;
}

/** Per-request cost with many stored sessions relative to few, per app and scenario. */
export function summarizeScale(result: ScaleResult): ScaleRow[] {
  const rows: ScaleRow[] = [];
  const appIds = [...new Set(result.samples.map((s) => s.appId))];
  for (const appId of appIds) {
    for (const scenario of ["read", "write"] as const) {
      const own = result.samples.filter((s) => s.appId === appId && s.scenario === scenario);
      if (own.length === 0) continue;
      const micros = (condition: "small" | "large"): number[] =>
        own.filter((s) => s.condition === condition).map((s) => 1e6 / s.requestsPerSecond);
      const rounds = [...new Set(own.map((s) => s.round))];
      const ratios = rounds.map((round) => {
        const at = (condition: "small" | "large"): number => 1e6 / own.find((s) => s.round === round && s.condition === condition)!.requestsPerSecond;
        return at("large") / at("small");
      });
      rows.push({ appId, scenario, smallMicros: median(micros("small")), largeMicros: median(micros("large")), costRatio: spread(ratios) });
    }
  }
  return rows;
}
