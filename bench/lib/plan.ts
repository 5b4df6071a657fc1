import { parseArgs } from "node:util";

/** Every phase the harness can run, in the order it runs them. */
export const PHASES = ["cpu", "throughput", "commands", "memory", "lost-updates", "scale"] as const;
export type Phase = (typeof PHASES)[number];

/** How long and how big each phase is: the full run, or `--quick` for development. */
export interface Plan {
  readonly quick: boolean;
  readonly phases: ReadonlySet<Phase>;
  /** App ids to run (empty: all that exist). Bare frameworks of the chosen apps are always added. */
  readonly only: readonly string[];
  /** Write V8 CPU profiles of the session apps to bench/results/tmp/profiles. */
  readonly cpuProf: boolean;
  /**
   * The CPU phase: every app driven at this fixed rate (req/s), below
   * saturation, over `cpuConnections` connections, `cpuRequests` requests per
   * measurement, `cpuRounds` interleaved rounds, after `cpuWarmupRequests`.
   */
  readonly cpuRate: number;
  readonly cpuConnections: number;
  readonly cpuRequests: number;
  readonly cpuRounds: number;
  readonly cpuWarmupRequests: number;
  /**
   * How the CPU phase spreads its rate: `even` (default) paces every request
   * to its own due time; `bursts` is autocannon's `overallRate`, where every
   * connection sends its share of a second back to back at the start of that
   * second (the app runs saturated for part of each second, so Redis commands
   * batch as at saturation).
   */
  readonly cpuLoad: "even" | "bursts";
  /** autocannon connections for throughput and scale. */
  readonly connections: number;
  /** Interleaved rounds of the throughput phase (A B C A B C ...). */
  readonly rounds: number;
  /**
   * Requests each app answers (50 at a time) before its first measurement, so
   * the JIT has compiled its hot path. Later rounds find it warm.
   */
  readonly warmupRequests: number;
  /** Length of one measurement, whole seconds (autocannon's granularity). */
  readonly measureSeconds: number;
  /** Requests per scenario when counting Redis commands. */
  readonly commandRequests: number;
  /** Logged-in sessions created for bytes per session. */
  readonly memorySessions: number;
  /** Trials of 20 concurrent writers. */
  readonly lostUpdateTrials: number;
  readonly lostUpdateWriters: number;
  /** Stored sessions in the small and the large keyspace of the scale phase. */
  readonly scaleSmall: number;
  readonly scaleLarge: number;
  /** Rounds of the scale phase; each measures small and large (ABBA order over rounds). */
  readonly scaleRounds: number;
  readonly scaleMeasureSeconds: number;
  /** Scenarios of the scale phase (the quick run keeps only the read, to stay under 2 minutes). */
  readonly scaleScenarios: readonly ("read" | "write")[];
  /** Where latest.md / latest.svg / latest.json go. */
  readonly outDir: string;
}

/**
 * Reads the command line (`npm run bench -- --quick --only=tessera-express`).
 *
 * @example
 * ```ts
 * const plan = planFromArgs(["--quick", "--phases=throughput,commands"]);
 * ```
 */
export function planFromArgs(argv: readonly string[]): Plan {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      phases: { type: "string" },
      "cpu-prof": { type: "boolean", default: false },
      rounds: { type: "string" },
      "cpu-load": { type: "string" },
      "cpu-rate": { type: "string" },
      "cpu-rounds": { type: "string" },
      out: { type: "string" },
    },
    strict: true,
  });
  const quick = values.quick ?? false;
  const phases = values.phases ? values.phases.split(",").map((p) => p.trim()) : [...PHASES];
  for (const phase of phases) {
    if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`Unknown phase "${phase}"; known: ${PHASES.join(", ")}`);
  }
  const rounds = values.rounds === undefined ? (quick ? 2 : 4) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error("--rounds must be an integer from 1 to 20");
  const cpuLoad = values["cpu-load"] ?? "even";
  if (cpuLoad !== "even" && cpuLoad !== "bursts") throw new Error('--cpu-load must be "even" or "bursts"');
  const cpuRate = values["cpu-rate"] === undefined ? 4000 : Number(values["cpu-rate"]);
  if (!Number.isInteger(cpuRate) || cpuRate < 100 || cpuRate > 50_000) throw new Error("--cpu-rate must be an integer from 100 to 50000 (req/s)");
  const cpuRounds = values["cpu-rounds"] === undefined ? (quick ? 2 : 3) : Number(values["cpu-rounds"]);
  if (!Number.isInteger(cpuRounds) || cpuRounds < 1 || cpuRounds > 20) throw new Error("--cpu-rounds must be an integer from 1 to 20");
  return {
    quick,
    phases: new Set(phases as Phase[]),
    only: values.only ? values.only.split(",").map((id) => id.trim()).filter(Boolean) : [],
    cpuProf: values["cpu-prof"] ?? false,
    cpuRate,
    cpuConnections: 20,
    cpuRequests: quick ? 4000 : 20_000,
    cpuRounds,
    cpuWarmupRequests: quick ? 1000 : 2000,
    cpuLoad,
    connections: 50,
    rounds,
    warmupRequests: quick ? 1000 : 2000,
    measureSeconds: quick ? 1 : 2,
    commandRequests: quick ? 200 : 1000,
    memorySessions: quick ? 2000 : 10_000,
    lostUpdateTrials: 5,
    lostUpdateWriters: 20,
    scaleSmall: 1000,
    scaleLarge: quick ? 100_000 : 1_000_000,
    scaleRounds: quick ? 1 : 3,
    scaleMeasureSeconds: 1,
    scaleScenarios: quick ? ["read"] : ["read", "write"],
    outDir: values.out ?? "bench/results",
  };
}
