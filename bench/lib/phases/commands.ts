import { sessionApps, sleep, type BenchContext } from "../context.js";
import { login } from "../http.js";
import { fireRequests } from "../load.js";
import { diffStats, total } from "../redis-probe.js";

export type CommandScenario = "anonymous" | "read" | "write" | "login";
export const COMMAND_SCENARIOS: readonly CommandScenario[] = ["anonymous", "read", "write", "login"];

export interface CommandCount {
  readonly appId: string;
  readonly scenario: CommandScenario;
  readonly requests: number;
  /** Commands the app sent per request (top level: one EVALSHA is one command, one round trip). */
  readonly sentPerRequest: number;
  /** Commands Redis executed per request, from INFO commandstats: includes those run inside Lua scripts. */
  readonly executedPerRequest: number;
  /**
   * Microseconds Redis spent executing the sent commands, per request (from
   * commandstats usec; a script's time includes the commands it runs).
   */
  readonly redisMicrosPerRequest: number;
  /** Per-request calls by command name, as sent. */
  readonly sent: Record<string, number>;
  /** Per-request calls by command name that ran inside scripts. */
  readonly inScripts: Record<string, number>;
}

function perRequest(counts: Map<string, number>, requests: number): Record<string, number> {
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).map(([name, calls]) => [name, calls / requests]));
}

/**
 * Redis commands per request, one app at a time (the others sit idle). The
 * source is the delta of INFO commandstats over N requests, for every app
 * alike. Redis 7 counts there both the commands clients send and the ones a
 * Lua script runs, so MONITOR watches a second, identical batch of requests
 * to tell the two apart: `executed` is the whole delta, `sent` leaves out
 * what ran inside scripts (one EVALSHA is one command, one round trip, like
 * one GET). The targets are about `sent`; both are reported.
 */
export async function commandsPhase(ctx: BenchContext): Promise<CommandCount[]> {
  const counts: CommandCount[] = [];
  const requests = ctx.plan.commandRequests;
  for (const app of sessionApps(ctx, "commands")) {
    const cookie = await login(app); // also loads any Lua scripts, so no NOSCRIPT retry is counted
    const runs: Record<CommandScenario, { path: string; method: "GET" | "POST"; cookie?: string }> = {
      anonymous: { path: "/", method: "GET" },
      read: { path: "/", method: "GET", cookie },
      write: { path: "/hit", method: "GET", cookie },
      login: { path: "/login", method: "POST" },
    };
    for (const scenario of COMMAND_SCENARIOS) {
      const run = runs[scenario];
      const fire = async (): Promise<void> => {
        const result = await fireRequests({ url: `${app.baseUrl}${run.path}`, method: run.method, cookie: run.cookie, concurrency: 10, total: requests });
        if (result.failed > 0) throw new Error(`${app.spec.id} ${scenario}: ${result.failed} failed requests while counting commands`);
        await sleep(20);
      };
      // Pass 1, no MONITOR: counts and times (MONITOR would slow scripts
      // down: Redis feeds it every command a script runs, inside its time).
      const before = await ctx.probe.commandStats();
      await fire();
      const executedStats = diffStats(before, await ctx.probe.commandStats());
      // Pass 2, same requests under MONITOR: which calls ran inside scripts.
      const { sent: monitored, inScripts } = await ctx.probe.monitorDuring(fire);
      // Sent = executed minus what ran inside scripts. Redis time is the sent
      // share of each command's time: inner commands' time is inside their script's.
      const executed = new Map<string, number>();
      const sent = new Map<string, number>();
      let redisMicros = 0;
      for (const [name, stat] of executedStats) {
        executed.set(name, stat.calls);
        const own = stat.calls - (inScripts.get(name) ?? 0);
        if (own <= 0) continue;
        sent.set(name, own);
        redisMicros += (stat.usec * own) / stat.calls;
      }
      if (total(sent) !== total(monitored)) {
        ctx.log(`commands ${app.spec.id} ${scenario}: WARNING commandstats gives ${total(sent)} sent, MONITOR saw ${total(monitored)}`);
      }
      const count: CommandCount = {
        appId: app.spec.id,
        scenario,
        requests,
        sentPerRequest: total(sent) / requests,
        executedPerRequest: total(executed) / requests,
        redisMicrosPerRequest: redisMicros / requests,
        sent: perRequest(sent, requests),
        inScripts: perRequest(inScripts, requests),
      };
      counts.push(count);
      ctx.log(
        `commands ${app.spec.id.padEnd(18)} ${scenario.padEnd(9)} sent ${count.sentPerRequest.toFixed(2)}  executed ${count.executedPerRequest.toFixed(2)}  ` +
          `redis ${count.redisMicrosPerRequest.toFixed(1)} µs  ${JSON.stringify(count.sent)}`,
      );
    }
  }
  return counts;
}
