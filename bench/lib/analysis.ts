import type { AppSpec } from "./apps.js";
import { KEPT_UP_FRACTION, type CpuSample, type CpuScenario } from "./phases/cpu.js";
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

/** One app in one scenario of the CPU phase, over all rounds. */
export interface CpuRow {
  readonly app: AppSpec;
  readonly scenario: CpuScenario;
  readonly rounds: number;
  /** The rate the app was driven at (the plan's, or the app's own lower one). */
  readonly offeredRate: number;
  readonly achievedRate: Spread;
  /** Rounds in which the app fell behind the offered rate: their figures are not at the fixed rate. */
  readonly behindRounds: number;
  readonly failures: number;
  readonly p99Ms: number;
  /** µs per request: the app process, redis-server, and both. */
  readonly appMicros: Spread;
  readonly redisMicros: Spread;
  readonly totalMicros: Spread;
  /** App + Redis µs over the bare framework's, per round. Undefined for the bare apps. */
  readonly overBare: Spread | undefined;
  /** App + Redis µs over the floor's, per round (read and write). Undefined for bare and floor apps. */
  readonly overFloor: Spread | undefined;
  /** Redis µs over the floor's Redis µs, per round (read and write). */
  readonly redisOverFloor: Spread | undefined;
  /** For a variant: app + Redis µs over the app it varies (Tessera without the variant's setting), per round. */
  readonly overBase: Spread | undefined;
}

/**
 * Folds the CPU phase's samples into one row per app and scenario. Every
 * difference (over bare, over the floor) is taken per round, against the
 * other app's run in that same round, then summarised.
 *
 * @example
 * ```ts
 * for (const row of summarizeCpu(results.cpu, results.apps)) console.log(row.app.id, row.scenario, row.overFloor?.median);
 * ```
 */
export function summarizeCpu(samples: readonly CpuSample[], apps: readonly AppSpec[]): CpuRow[] {
  const rows: CpuRow[] = [];
  const total = (s: CpuSample): number => s.appMicros + s.redisMicros;
  for (const scenario of ["read", "write", "anonymous"] as const) {
    for (const app of apps) {
      const own = samples.filter((s) => s.scenario === scenario && s.appId === app.id);
      if (own.length === 0) continue;
      const against = (otherId: string, measure: (s: CpuSample) => number): Spread | undefined => {
        if (otherId === app.id) return undefined;
        const differences: number[] = [];
        for (const sample of own) {
          const other = samples.find((s) => s.scenario === scenario && s.round === sample.round && s.appId === otherId);
          if (other) differences.push(measure(sample) - measure(other));
        }
        return differences.length ? spread(differences) : undefined;
      };
      const floorId = app.kind === "bare" || app.kind === "floor" || scenario === "anonymous" ? app.id : `floor-${app.framework}`;
      rows.push({
        app,
        scenario,
        rounds: own.length,
        offeredRate: median(own.map((s) => s.offeredRate)),
        achievedRate: spread(own.map((s) => s.achievedRate)),
        behindRounds: own.filter((s) => s.achievedRate < KEPT_UP_FRACTION * s.offeredRate).length,
        failures: own.reduce((sum, s) => sum + s.failures, 0),
        p99Ms: median(own.map((s) => s.p99Ms)),
        appMicros: spread(own.map((s) => s.appMicros)),
        redisMicros: spread(own.map((s) => s.redisMicros)),
        totalMicros: spread(own.map(total)),
        overBare: against(`bare-${app.framework}`, total),
        overFloor: against(floorId, total),
        redisOverFloor: against(floorId, (s) => s.redisMicros),
        overBase: app.variantOf === undefined ? undefined : against(app.variantOf, total),
      });
    }
  }
  return rows;
}

/** Tessera's CPU targets (issue 12), in µs per request, each checked within one run. */
export const CPU_TARGETS = {
  /** A read adds at most this much app + Redis CPU over the floor. */
  readOverFloor: 5,
  /** A write costs no more than the floor's. */
  writeOverFloor: 0,
  /** Redis CPU per read and per write at most the floor's (default settings). */
  redisOverFloor: 0,
  /** A request without a cookie adds at most this much over the bare framework. */
  anonymousOverBare: 2,
} as const;

/** One CPU target of one Tessera app, measured. */
export interface CpuTargetCheck {
  readonly app: AppSpec;
  readonly target: string;
  /** The difference the target bounds, per round (median, min–max). */
  readonly measured: Spread;
  readonly met: boolean;
  /** Whether every sample involved was taken at the fixed rate. */
  readonly atFixedRate: boolean;
}

/**
 * The CPU targets, checked on Tessera's default apps (coalescing on): a
 * target is met when the median over rounds of its per-round difference is
 * within the bound.
 *
 * @example
 * ```ts
 * const missed = cpuTargetChecks(summarizeCpu(results.cpu, results.apps)).filter((c) => !c.met);
 * ```
 */
export function cpuTargetChecks(rows: readonly CpuRow[]): CpuTargetCheck[] {
  const checks: CpuTargetCheck[] = [];
  const keptUp = (row: CpuRow, yardstickId: string): boolean =>
    row.behindRounds === 0 && rows.every((r) => r.app.id !== yardstickId || r.scenario !== row.scenario || r.behindRounds === 0);
  const check = (row: CpuRow, target: string, measured: Spread | undefined, limit: number, yardstickId: string): void => {
    if (measured) checks.push({ app: row.app, target, measured, met: measured.median <= limit, atFixedRate: keptUp(row, yardstickId) });
  };
  // Grouped by app (rows come scenario by scenario).
  const tesseraRows = rows.filter((r) => r.app.kind === "tessera" && r.app.variantOf === undefined);
  const appIds = [...new Set(tesseraRows.map((r) => r.app.id))];
  for (const row of appIds.flatMap((id) => tesseraRows.filter((r) => r.app.id === id))) {
    const floorId = `floor-${row.app.framework}`;
    if (row.scenario === "read") {
      check(row, `read: app + Redis ≤ floor + ${CPU_TARGETS.readOverFloor} µs`, row.overFloor, CPU_TARGETS.readOverFloor, floorId);
      check(row, "read: Redis ≤ floor's Redis", row.redisOverFloor, CPU_TARGETS.redisOverFloor, floorId);
    } else if (row.scenario === "write") {
      check(row, "write: app + Redis ≤ floor's", row.overFloor, CPU_TARGETS.writeOverFloor, floorId);
      check(row, "write: Redis ≤ floor's Redis", row.redisOverFloor, CPU_TARGETS.redisOverFloor, floorId);
    } else {
      check(row, `anonymous: app + Redis ≤ bare + ${CPU_TARGETS.anonymousOverBare} µs`, row.overBare, CPU_TARGETS.anonymousOverBare, `bare-${row.app.framework}`);
    }
  }
  return checks;
}
