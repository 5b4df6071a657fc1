import type { RunningApp } from "./app-process.js";
import type { Plan } from "./plan.js";
import type { RedisProbe } from "./redis-probe.js";

/** What every phase gets: the plan, the running apps and the harness's Redis view. */
export interface BenchContext {
  readonly plan: Plan;
  readonly apps: readonly RunningApp[];
  readonly probe: RedisProbe;
  readonly redisUrl: string;
  log(message: string): void;
}

/** The apps that keep sessions (everything but the bare frameworks). */
export function sessionApps(ctx: BenchContext): RunningApp[] {
  return ctx.apps.filter((app) => app.spec.kind !== "bare");
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
