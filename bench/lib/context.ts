import type { RunningApp } from "./app-process.js";
import { measuredIn } from "./apps.js";
import type { Phase, Plan } from "./plan.js";
import type { RedisProbe } from "./redis-probe.js";

/** What every phase gets: the plan, the running apps and the harness's Redis view. */
export interface BenchContext {
  readonly plan: Plan;
  readonly apps: readonly RunningApp[];
  readonly probe: RedisProbe;
  readonly redisUrl: string;
  log(message: string): void;
}

/** The running apps that `phase` measures (floors and variants take part in some phases only). */
export function appsIn(ctx: BenchContext, phase: Phase): RunningApp[] {
  return ctx.apps.filter((app) => measuredIn(app.spec, phase));
}

/** The apps `phase` measures that keep sessions (everything but the bare frameworks). */
export function sessionApps(ctx: BenchContext, phase: Phase): RunningApp[] {
  return appsIn(ctx, phase).filter((app) => app.spec.kind !== "bare");
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
