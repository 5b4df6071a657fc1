// Bytes allocated per request by benchmark apps, from V8's sampling heap
// profiler with freed objects counted (bench/lib/alloc-sampler.mjs): unlike
// CPU time, it does not move with the machine's load, and it is what a
// request costs the collector. On Express most of a request's garbage is
// promoted before it dies (`--trace-gc-nvp` shows the scavenges copying
// about a third of what was allocated), so every byte Tessera allocates per
// request is paid again in scavenge time.
//
//   npm run build && npx tsx bench/alloc-per-request.ts --apps=bare-express,floor-express,tessera-express [--base=/tmp/base] [--requests=20000]
//
// With --base (a checkout built as for bench/ab-cpu.ts), each app also runs
// from that tree, as A, beside this one's, as B.
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startRedisServer } from "../test/support/redis-server.js";
import { startApp, type RunningApp } from "./lib/app-process.js";
import { APPS_DIR, BENCH_DIR, catalogue, type AppSpec } from "./lib/apps.js";
import { login } from "./lib/http.js";
import { ensureBenchBuilds } from "./lib/framework-builds.js";
import { fireRequests } from "./lib/load.js";
import { sleep } from "./lib/context.js";
import { SCENARIO_PATHS, type Scenario } from "./lib/scenarios.js";


const { values } = parseArgs({
  options: {
    apps: { type: "string" },
    base: { type: "string" },
    scenarios: { type: "string", default: "anonymous,read,write" },
    requests: { type: "string", default: "20000" },
    top: { type: "string", default: "0" },
  },
});
if (!values.apps) throw new Error("usage: tsx bench/alloc-per-request.ts --apps=<id,...> [--base=<checkout>] [--scenarios=anonymous,read,write] [--requests=20000] [--top=N]");
const total = Number(values.requests);
if (!Number.isInteger(total) || total < 1000 || total > 200_000) throw new Error("--requests: 1000 to 200000");
const top = Number(values.top);
const scenarios = values.scenarios.split(",") as Scenario[];
for (const s of scenarios) if (!(s in SCENARIO_PATHS)) throw new Error(`unknown scenario ${s}`);
const { apps: specs } = catalogue();
const chosen: AppSpec[] = values.apps.split(",").flatMap((id) => {
  const spec = specs.find((s) => s.id === id);
  if (!spec) throw new Error(`no app ${id}`);
  if (values.base === undefined) return [spec];
  const baseFile = relative(APPS_DIR, join(resolve(values.base), "bench/apps", spec.file));
  return [{ ...spec, id: `${spec.id}-A`, file: baseFile }, { ...spec, id: `${spec.id}-B` }];
});

interface Sample {
  readonly total: number;
  readonly sites: Array<[string, number]>;
}

/** Starts or stops the app's sampler and waits for its answer in `file`. */
async function toggleSampler(app: RunningApp, file: string, sampling: boolean): Promise<Sample | undefined> {
  rmSync(file, { force: true });
  process.kill(app.pid, "SIGUSR2");
  for (let waited = 0; waited < 10_000; waited += 20) {
    await sleep(20);
    let answer: { sampling: boolean } & Partial<Sample>;
    try {
      answer = JSON.parse(readFileSync(file, "utf8")) as typeof answer;
    } catch {
      continue; // not written yet
    }
    if (answer.sampling !== sampling) throw new Error(`${app.spec.id}: sampler out of step`);
    return sampling ? undefined : (answer as Sample);
  }
  throw new Error(`${app.spec.id}: sampler did not answer in 10 s`);
}

// The full-stack frameworks' apps are production builds: made (or reused) first, as `npm run bench` does.
await ensureBenchBuilds(new Set(chosen.map((spec) => spec.framework)), (message) => process.stderr.write(`${message}\n`));
const redis = await startRedisServer();
const running: RunningApp[] = [];
try {
  console.log(`| app | ${scenarios.map((s) => `${s} B/req`).join(" | ")} |`);
  console.log(`| --- | ${scenarios.map(() => "---").join(" | ")} |`);
  for (const [n, spec] of chosen.entries()) {
    const file = join(tmpdir(), `tessera-alloc-${process.pid}-${n}.json`);
    const app = await startApp({ ...spec, env: { ...spec.env, BENCH_ALLOC_OUT: file } }, {
      redisUrl: redis.url,
      prefix: `a${String(n).padStart(2, "0")}:`,
      nodeArgs: ["--import", join(BENCH_DIR, "lib/alloc-sampler.mjs")],
      readyTimeoutMs: 30_000,
    });
    running.push(app);
    const cookie = spec.kind === "bare" ? "x=1" : await login(app);
    const row: string[] = [];
    for (const s of scenarios) {
      const url = `${app.baseUrl}${SCENARIO_PATHS[s]}`;
      const sent = s === "anonymous" ? undefined : cookie;
      await fireRequests({ url, cookie: sent, total: 3000, concurrency: 20 }); // warm-up: optimised code, steady caches
      await toggleSampler(app, file, true);
      const run = await fireRequests({ url, cookie: sent, total, concurrency: 20 });
      const sample = (await toggleSampler(app, file, false))!;
      if (run.failed > 0) throw new Error(`${spec.id} ${s}: ${run.failed} requests failed`);
      row.push((sample.total / total).toFixed(0));
      if (top > 0) {
        process.stderr.write(`${spec.id} ${s}: ${(sample.total / total).toFixed(0)} B/req\n`);
        for (const [site, bytes] of sample.sites.slice(0, top)) process.stderr.write(`  ${(bytes / total).toFixed(0).padStart(6)}  ${site}\n`);
      }
    }
    console.log(`| ${spec.id} | ${row.join(" | ")} |`);
    await app.stop();
    running.pop();
    rmSync(file, { force: true });
  }
} finally {
  await Promise.all(running.map((app) => app.stop()));
  await redis.close();
}
