// V8's optimizations and deoptimizations in a warmed-up app, natively (no
// valgrind). Under callgrind a Tessera write's windows count 20-70k compiler
// instructions per request more than the floor's (bench/instructions.ts):
// valgrind stretches time, and V8's tiering decisions depend on time. This
// tells that apart from a real deoptimization loop, which would cost every
// request natively too: each app runs with --trace-opt --trace-deopt, gets
// `warmup` requests, then `requests` more, and what V8 compiled and bailed
// out of during those is counted, by function.
//
//   npm run build && npx tsx bench/opt-trace.ts --apps=floor-koa:write,tessera-koa:write [--warmup=20000] [--requests=30000] [--top=10]
import { spawn } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startRedisServer } from "../test/support/redis-server.js";
import { APPS_DIR, catalogue, type AppSpec } from "./lib/apps.js";
import { sleep } from "./lib/context.js";
import { login } from "./lib/http.js";
import { fireRequests } from "./lib/load.js";
import { appScenario, integerOption, SCENARIO_PATHS, type Scenario } from "./lib/scenarios.js";

const { values } = parseArgs({
  options: {
    apps: { type: "string" },
    warmup: { type: "string", default: "20000" },
    requests: { type: "string", default: "30000" },
    top: { type: "string", default: "10" },
  },
});
if (!values.apps) throw new Error("usage: tsx bench/opt-trace.ts --apps=<app id>:<anonymous|read|write>,... [--warmup=20000] [--requests=30000] [--top=10]");
const warmup = integerOption("warmup", values.warmup, 1, 500_000);
const requests = integerOption("requests", values.requests, 1, 500_000);
const top = integerOption("top", values.top, 1, 1000);
const { apps: specs } = catalogue();
const jobs = values.apps.split(",").map((item) => appScenario(item, specs));

const READY = /\{"ready":true,"port":(\d+)/;
/** Longest any one app may take, start to stop: a stuck app must not hang the run. */
const APP_LIMIT_MS = 10 * 60_000;

interface Traced {
  compiled: Map<string, number>;
  deopts: Map<string, number>;
}

/** The function named in a trace line (`<JSFunction name (sfi = ...)>`), "(anonymous)" when it has none. */
function functionOf(line: string): string {
  const name = /<JSFunction ([^ >]*) ?\(sfi/.exec(line)?.[1];
  return name ? name : "(anonymous)";
}

function tally(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

async function trace(spec: AppSpec, scenario: Scenario, redisUrl: string): Promise<Traced> {
  const child = spawn(process.execPath, ["--trace-opt", "--trace-deopt", join(APPS_DIR, spec.file)], {
    env: { ...process.env, ...spec.env, NODE_ENV: "production", BENCH_REDIS_URL: redisUrl, BENCH_PREFIX: "a01:" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), APP_LIMIT_MS);
  const traced: Traced = { compiled: new Map(), deopts: new Map() };
  let counting = false;
  let pending = "";
  let resolvePort: (port: number) => void = () => undefined;
  const port = new Promise<number>((resolve, reject) => {
    resolvePort = resolve;
    child.once("exit", (code) => reject(new Error(`${spec.id} exited (code ${code}) before it was ready`)));
  });
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const ready = READY.exec(line);
      if (ready) resolvePort(Number(ready[1]));
      else if (!counting) continue;
      else if (line.startsWith("[compiling method")) tally(traced.compiled, functionOf(line));
      else if (line.startsWith("[bailout")) tally(traced.deopts, `${functionOf(line)}: ${/reason: ([^)]*)\)/.exec(line)?.[1] ?? "?"}`);
    }
  });
  try {
    const baseUrl = `http://127.0.0.1:${await port}`;
    const cookie = scenario === "anonymous" ? undefined : await login({ spec, baseUrl });
    const url = baseUrl + SCENARIO_PATHS[scenario];
    await fireRequests({ url, cookie, total: warmup, concurrency: 20 });
    // What the warm-up made V8 print is read by now (the pipe is drained as it fills); count from here.
    await sleep(300);
    counting = true;
    await fireRequests({ url, cookie, total: requests, concurrency: 20 });
    return traced;
  } finally {
    clearTimeout(killer);
    child.kill("SIGTERM");
  }
}

const redis = await startRedisServer();
try {
  for (const { spec, scenario } of jobs) {
    const { compiled, deopts } = await trace(spec, scenario, redis.url);
    const sum = (map: Map<string, number>): number => [...map.values()].reduce((a, b) => a + b, 0);
    const listed = (map: Map<string, number>): string =>
      [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, n]) => `${n} ${name}`).join("; ") || "none";
    console.log(`${spec.id} ${scenario}: after ${warmup} warm-up requests, ${requests} more: ${sum(compiled)} optimizing compilations, ${sum(deopts)} deoptimizations`);
    console.log(`  compiled: ${listed(compiled)}`);
    console.log(`  deoptimized: ${listed(deopts)}`);
  }
} finally {
  await redis.close();
}
