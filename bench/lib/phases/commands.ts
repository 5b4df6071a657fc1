import { sessionApps, sleep, type BenchContext } from "../context.js";
import { login } from "../http.js";
import { runLoad } from "../load.js";
import { diffCalls, total } from "../redis-probe.js";

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
 * figure is the delta of INFO commandstats over N requests, read two ways:
 * `executed` is every call Redis counted, including the commands a Lua
 * script runs; `sent` leaves those out (MONITOR, watching the same requests,
 * shows which calls came from scripts), so one script is one command, like
 * one GET. Both are reported; the targets are about `sent`.
 */
export async function commandsPhase(ctx: BenchContext): Promise<CommandCount[]> {
  const counts: CommandCount[] = [];
  const requests = ctx.plan.commandRequests;
  for (const app of sessionApps(ctx)) {
    const cookie = await login(app); // also loads any Lua scripts, so no NOSCRIPT retry is counted
    const runs: Record<CommandScenario, { path: string; method: "GET" | "POST"; cookie?: string }> = {
      anonymous: { path: "/", method: "GET" },
      read: { path: "/", method: "GET", cookie },
      write: { path: "/hit", method: "GET", cookie },
      login: { path: "/login", method: "POST" },
    };
    for (const scenario of COMMAND_SCENARIOS) {
      const run = runs[scenario];
      const before = await ctx.probe.commandCalls();
      let failures = 0;
      const { sent: monitored, inScripts } = await ctx.probe.monitorDuring(async () => {
        const result = await runLoad({ url: `${app.baseUrl}${run.path}`, method: run.method, cookie: run.cookie, connections: 10, amount: requests });
        failures = result.failures;
        await sleep(20);
      });
      if (failures > 0) throw new Error(`${app.spec.id} ${scenario}: ${failures} failed requests while counting commands`);
      const executed = diffCalls(before, await ctx.probe.commandCalls());
      const sent = diffCalls(inScripts, executed);
      const count: CommandCount = {
        appId: app.spec.id,
        scenario,
        requests,
        sentPerRequest: total(sent) / requests,
        executedPerRequest: total(executed) / requests,
        sent: perRequest(sent, requests),
        inScripts: perRequest(inScripts, requests),
      };
      if (total(sent) !== total(monitored)) {
        ctx.log(`commands ${app.spec.id} ${scenario}: WARNING commandstats gives ${total(sent)} sent, MONITOR saw ${total(monitored)}`);
      }
      counts.push(count);
      ctx.log(`commands ${app.spec.id.padEnd(18)} ${scenario.padEnd(9)} sent ${count.sentPerRequest.toFixed(2)}  executed ${count.executedPerRequest.toFixed(2)}  ${JSON.stringify(count.sent)}`);
    }
  }
  return counts;
}
