// Instructions per request, counted by valgrind's callgrind in the app and in
// its redis-server: a CPU measure that the machine's other load does not move.
// CPU time per request on this shared 2-core machine swings by ±12 to ±45 µs
// between rounds of the same build (bench/ab-cpu.ts), too much to judge the
// few-µs targets of the cost issue; an instruction count is the process's own
// work, so two builds, or Tessera and the floor, compare without that noise.
//
//   npm run build && npx tsx bench/instructions.ts [--frameworks=express,fastify,koa] [--jobs=2]
//     [--warmup=3000] [--window=3000] [--windows=5] [--calibrate=true]
//   npx tsx bench/instructions.ts --apps=tessera-express:anonymous,tessera-koa:read [--base=/tmp/base] [--keep] [--perf-map]
//
// --apps measures just those apps and scenarios; with --base (a checkout
// built as for bench/ab-cpu.ts) each also runs from that tree, as A, beside
// this one's, as B: a change's effect, free of the machine's noise. --keep
// leaves callgrind's dumps behind, one per window, for a profile by function;
// --perf-map (implies --keep) also starts each app with node's
// --perf-basic-prof and keeps the map beside its dumps, so that JIT-compiled
// JavaScript gets its function's name too. Read them with
// bench/callgrind-profile.ts (self instructions per request by function, and
// the difference between two dumps).
//
// Per framework it measures bare (anonymous), the floor (read, write) and
// Tessera (anonymous, read, write), each in a process of its own under
// callgrind with a redis-server of its own under callgrind too. After a
// warm-up and one settling window that is not counted (the first
// window after the first callgrind_control call counts about a third more,
// whatever the warm-up's length), each window zeroes both counters, sends `window` requests one at a
// time over one keep-alive connection (as a request arrives at a paced app
// below saturation: alone) and dumps both: instructions per request of the app
// and of Redis, the median over windows reported with their range.
//
// What still varies: V8's collector and compiler make decisions that depend
// on time, which valgrind stretches, so windows of one process differ by a
// few percent, and a window that holds a major GC by more (20-60% on
// Fastify and Koa, whose requests cost a tenth of Express's). Hence the
// median of several windows of thousands of requests each, and a second
// column beside the app's: its instructions outside the collector and the
// optimizing compilers, which stay within about 1% from window to window
// (Express's anonymous request: 556-596k in all, 502-510k outside them), so
// a change of a few thousand instructions shows there first.
// Counts are user-space instructions: the kernel's share (socket reads and
// writes) is the same for Tessera and the floor, which make the same round
// trips.
//
// Targets are in µs. To convert, --calibrate runs each framework's floor app
// natively (no valgrind) at a fixed rate before anything else, reads its user
// CPU time and Redis's (`used_cpu_user`), and divides the instructions each
// counted for the same requests: instructions per µs, for the app and for
// Redis. That rate comes from a CPU reading, so it carries its noise (about
// ±10%), but only as a scale on the differences, not inside them.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { freePort, startRedisServer, waitUntilReady } from "../test/support/redis-server.js";
import { startApp, userCpuMicros, type RunningApp } from "./lib/app-process.js";
import { APPS_DIR, catalogue, type AppSpec, type Framework } from "./lib/apps.js";
import { countInstructions, hasCallgrind, instructionsOutsideCollectorAndCompiler, type CountedProcess } from "./lib/callgrind.js";
import { login, validateApp } from "./lib/http.js";
import { fireRequests, paceRequests } from "./lib/load.js";
import { RedisProbe } from "./lib/redis-probe.js";
import { appScenario, integerOption, SCENARIO_PATHS, type Scenario } from "./lib/scenarios.js";
import { median } from "./lib/stats.js";

/** What is measured of each kind of app: the floor has no anonymous path of interest, bare no session. */
const SCENARIOS_OF: Record<"bare" | "floor" | "tessera", readonly Scenario[]> = {
  bare: ["anonymous"],
  floor: ["read", "write"],
  tessera: ["anonymous", "read", "write"],
};
const CONNECTIONS = 1;

const { values } = parseArgs({
  options: {
    frameworks: { type: "string", default: "express,fastify,koa" },
    jobs: { type: "string", default: "2" },
    warmup: { type: "string", default: "3000" },
    window: { type: "string", default: "3000" },
    windows: { type: "string", default: "5" },
    apps: { type: "string" },
    base: { type: "string" },
    calibrate: { type: "string", default: "true" },
    keep: { type: "boolean", default: false },
    "perf-map": { type: "boolean", default: false },
  },
});
const jobs = integerOption("jobs", values.jobs, 1, 4);
const warmup = integerOption("warmup", values.warmup, 0, 50_000);
const windowSize = integerOption("window", values.window, 100, 50_000);
const windows = integerOption("windows", values.windows, 1, 20);
if (!["true", "false"].includes(values.calibrate)) throw new Error("--calibrate: true or false");
if (!hasCallgrind()) throw new Error("valgrind with callgrind is not installed (Debian: apt-get install valgrind)");

const perfMap = values["perf-map"];
const keep = values.keep || perfMap;

const { apps: catalogued } = catalogue();
/** With --base, each app's file as that checkout has it. */
const fromBase = (spec: AppSpec): AppSpec => ({
  ...spec,
  id: `${spec.id}-A`,
  file: relative(APPS_DIR, join(resolve(values.base!), "bench/apps", spec.file)),
});
const specs = catalogued;
const frameworks = values.frameworks.split(",") as Framework[];
const specOf = (framework: Framework, kind: "bare" | "floor" | "tessera"): AppSpec => {
  const spec = specs.find((s) => s.framework === framework && s.kind === kind && s.variantOf === undefined);
  if (!spec) throw new Error(`no ${kind} app for ${framework}`);
  return spec;
};

/** One measured process pair: an app and its Redis, for one scenario. */
interface Job {
  readonly spec: AppSpec;
  readonly scenario: Scenario;
}
/** A job's windows: instructions per request of the app and of Redis, one entry per window. */
interface Counted {
  readonly job: Job;
  readonly app: number[];
  /** The app's instructions per request outside V8's collector and optimizing compilers, per window: the steady part. */
  readonly steady: number[];
  readonly redis: number[];
}

const workDir = mkdtempSync(join(tmpdir(), "tessera-instructions-"));
/** The redis-servers started here (the apps are startApp's, which kills its own on exit). */
const servers = new Set<CountedProcess>();
process.once("exit", () => {
  for (const server of servers) server.child.kill("SIGKILL");
  if (keep) log(`callgrind's dumps are kept in ${workDir} (read them with bench/callgrind-profile.ts)`);
  else rmSync(workDir, { recursive: true, force: true });
});
// Interrupted: exit, so that the exit handlers above and startApp's stop every process this run started.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
const log = (message: string): void => void process.stderr.write(`${message}\n`);

/** The Cookie header a scenario's requests carry: a fresh login's, none for anonymous ones (the only scenario of a bare app). */
async function cookieFor(app: RunningApp, scenario: Scenario): Promise<string | undefined> {
  return scenario === "anonymous" ? undefined : login(app);
}

/** Sends `total` requests of the scenario and fails on any that did not answer 2xx. */
async function send(app: RunningApp, scenario: Scenario, cookie: string | undefined, total: number): Promise<void> {
  const result = await fireRequests({
    url: `${app.baseUrl}${SCENARIO_PATHS[scenario]}`,
    cookie,
    total,
    concurrency: CONNECTIONS,
  });
  if (result.failed > 0) throw new Error(`${app.spec.id} ${scenario}: ${result.failed} of ${total} requests failed`);
}

/** Starts a redis-server under callgrind on a free loopback port. Redis's cron runs once a second (hz 1), so idle time adds little to a window. */
async function countedRedis(name: string): Promise<{ counted: CountedProcess; url: string }> {
  const port = await freePort();
  const counted = countInstructions(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--hz", "1", "--dir", workDir],
    join(workDir, `${name}-redis.cg`),
    { stdio: "ignore" },
  );
  servers.add(counted);
  await waitUntilReady(port, counted.child, 60_000); // valgrind starts slowly
  return { counted, url: `redis://127.0.0.1:${port}` };
}

/** Runs one job: both processes under callgrind, a warm-up, then the windows. */
async function runJob(job: Job): Promise<Counted> {
  const name = `${job.spec.id}-${job.scenario}`;
  const redis = await countedRedis(name);
  let appCounter: CountedProcess | undefined;
  const app = await startApp(job.spec, {
    redisUrl: redis.url,
    prefix: "a07:",
    readyTimeoutMs: 120_000,
    nodeArgs: perfMap ? ["--perf-basic-prof"] : [],
    launch: (program, args, options) => {
      appCounter = countInstructions(program, args, join(workDir, `${name}-app.cg`), options);
      return appCounter.child;
    },
  });
  try {
    const cookie = await cookieFor(app, job.scenario);
    await send(app, job.scenario, cookie, warmup);
    const counted: Counted = { job, app: [], steady: [], redis: [] };
    for (let w = 0; w <= windows; w++) {
      await Promise.all([appCounter!.zero(), redis.counted.zero()]);
      await send(app, job.scenario, cookie, windowSize);
      const [appDump, redisDump] = await Promise.all([appCounter!.dump(), redis.counted.dump()]);
      if (w === 0) continue; // the settling window
      counted.app.push(appDump.instructions / windowSize);
      counted.steady.push(instructionsOutsideCollectorAndCompiler(appDump.file) / windowSize);
      counted.redis.push(redisDump.instructions / windowSize);
    }
    log(`${name}: app ${counted.app.map(k).join(" ")}  outside GC and compilers ${counted.steady.map(k).join(" ")}  redis ${counted.redis.map(k).join(" ")} (k instructions per request, per window)`);
    return counted;
  } finally {
    await app.stop();
    // Node writes /tmp/perf-<pid>.map (valgrind runs the app in its own pid).
    const map = `/tmp/perf-${appCounter?.child.pid}.map`;
    if (perfMap && existsSync(map)) {
      copyFileSync(map, join(workDir, `${name}-app.perfmap`));
      rmSync(map);
    }
    redis.counted.child.kill("SIGKILL");
    servers.delete(redis.counted);
  }
}

/** Instructions per µs of user CPU, of the app and of Redis, from a native run of the floor's read. */
interface Rates {
  readonly app: number;
  readonly redis: number;
}

/** Native user µs per read request of the floor app and of its Redis: medians of 3 fixed-rate rounds. */
async function nativeFloorRead(spec: AppSpec): Promise<{ app: number; redis: number }> {
  const redis = await startRedisServer(["--hz", "1"]);
  const probe = new RedisProbe(redis.url);
  const app = await startApp(spec, { redisUrl: redis.url, prefix: "a07:" });
  try {
    await validateApp(app);
    const cookie = await login(app);
    await send(app, "read", cookie, 5000);
    const appSamples: number[] = [];
    const redisSamples: number[] = [];
    const total = 20_000;
    for (let round = 0; round < 3; round++) {
      const appBefore = userCpuMicros(app.pid);
      const redisBefore = Number((await probe.info("cpu")).get("used_cpu_user")) * 1e6;
      const run = await paceRequests({
        url: `${app.baseUrl}/`,
        cookie,
        rate: 2000,
        connections: 20,
        total,
      });
      if (run.failed > 0) throw new Error(`${spec.id}: ${run.failed} failed calibration requests`);
      appSamples.push((userCpuMicros(app.pid) - appBefore) / total);
      redisSamples.push((Number((await probe.info("cpu")).get("used_cpu_user")) * 1e6 - redisBefore) / total);
    }
    return { app: median(appSamples), redis: median(redisSamples) };
  } finally {
    await app.stop();
    probe.client.disconnect();
    await redis.close();
  }
}

const k = (instructions: number): string => (instructions / 1000).toFixed(1);
/**
 * The steady column's heading. Windows of one process differ by tens of
 * thousands of instructions in the collector's and compilers' share; the
 * rest stays within about 1%, so a small change is judged by that column
 * (and what it allocates by bench/alloc-per-request.ts).
 */
const STEADY_HEADING = "app k instr outside GC and compilers";
const range = (values: number[]): string => `${k(Math.min(...values))}–${k(Math.max(...values))}`;

/** Runs the jobs `jobs` at a time (instruction counts do not mind sharing the machine). */
async function runAll(all: Job[]): Promise<Counted[]> {
  const results: Counted[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < all.length) results.push(await runJob(all[next++]!));
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return results;
}

/** --apps: the listed apps and scenarios (A and B of each with --base); the per-window table only. */
async function measureListed(list: string): Promise<void> {
  const listed: Job[] = list.split(",").flatMap((item) => {
    const { spec, scenario } = appScenario(item, specs);
    return values.base === undefined
      ? [{ spec, scenario }]
      : [
          { spec: fromBase(spec), scenario },
          { spec: { ...spec, id: `${spec.id}-B` }, scenario },
        ];
  });
  const results = await runAll(listed);
  console.log(`\nInstructions per request (k), median of ${windows} windows of ${windowSize} requests, range over windows in brackets\n`);
  console.log(`| app | scenario | app k instr | ${STEADY_HEADING} | Redis k instr |`);
  console.log("|---|---|---:|---:|---:|");
  for (const job of listed) {
    const r = results.find((c) => c.job === job)!;
    console.log(`| ${job.spec.id} | ${job.scenario} | ${k(median(r.app))} (${range(r.app)}) | ${k(median(r.steady))} (${range(r.steady)}) | ${k(median(r.redis))} (${range(r.redis)}) |`);
  }
}

// The exit handler above stops the servers and removes the work directory, whether the run ends well or not.
if (values.apps !== undefined) {
  await measureListed(values.apps);
} else {
  await measureFrameworks();
}

/** Bare, floor and Tessera of each framework, their differences, and (with --calibrate) the same in µs. */
async function measureFrameworks(): Promise<void> {
  // Native calibration first, alone, so no valgrind job shares the cores while CPU time is read.
  const native = new Map<Framework, { app: number; redis: number }>();
  if (values.calibrate === "true") {
    for (const framework of frameworks) {
      native.set(framework, await nativeFloorRead(specOf(framework, "floor")));
      log(`${framework} floor read, native: app ${native.get(framework)!.app.toFixed(1)} µs user, redis ${native.get(framework)!.redis.toFixed(1)} µs user per request`);
    }
  }
  const all: Job[] = frameworks.flatMap((framework) =>
    (["bare", "floor", "tessera"] as const).flatMap((kind) =>
      SCENARIOS_OF[kind].map((scenario) => ({
        spec: specOf(framework, kind),
        scenario,
      })),
    ),
  );
  const results = await runAll(all);
  const of = (framework: Framework, kind: string, scenario: Scenario): { app: number; steady: number; redis: number; counted: Counted } => {
    const counted = results.find((r) => r.job.spec.framework === framework && r.job.spec.kind === kind && r.job.scenario === scenario)!;
    return { app: median(counted.app), steady: median(counted.steady), redis: median(counted.redis), counted };
  };

  console.log(`\nInstructions per request (k), median of ${windows} windows of ${windowSize} requests after ${warmup} warm-up, range over windows in brackets\n`);
  console.log(`| framework | app | scenario | app k instr | ${STEADY_HEADING} | Redis k instr |`);
  console.log("|---|---|---|---:|---:|---:|");
  // In the jobs' order (results arrive in the order the jobs finish).
  for (const r of all.map((job) => results.find((c) => c.job === job)!))
    console.log(
      `| ${r.job.spec.framework} | ${r.job.spec.kind} | ${r.job.scenario} | ${k(median(r.app))} (${range(r.app)}) | ${k(median(r.steady))} (${range(r.steady)}) | ${k(median(r.redis))} (${range(r.redis)}) |`,
    );

  console.log("\nTessera over its yardstick: k instructions per request (app + Redis), and in µs at each framework's calibrated rates\n");
  console.log(
    "| framework | read over floor | write over floor | anonymous over bare | app outside GC and compilers over yardstick: read / write / anonymous | Redis read: Tessera / floor | Redis write: Tessera / floor | rates (instr/µs app, Redis) |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---|");
  for (const framework of frameworks) {
    const floorRead = of(framework, "floor", "read");
    const floorWrite = of(framework, "floor", "write");
    const tRead = of(framework, "tessera", "read");
    const tWrite = of(framework, "tessera", "write");
    const bare = of(framework, "bare", "anonymous");
    const tAnon = of(framework, "tessera", "anonymous");
    const calibration = native.get(framework);
    const rates: Rates | undefined = calibration && {
      app: floorRead.app / calibration.app,
      redis: floorRead.redis / calibration.redis,
    };
    const over = (a: { app: number; redis: number }, b: { app: number; redis: number }): string => {
      const instructions = a.app + a.redis - b.app - b.redis;
      const micros = rates ? ` ≈ ${((a.app - b.app) / rates.app + (a.redis - b.redis) / rates.redis).toFixed(1)} µs` : "";
      return `${instructions >= 0 ? "+" : ""}${k(instructions)}k${micros}`;
    };
    const steadyOver = (a: { steady: number }, b: { steady: number }): string => `${a.steady >= b.steady ? "+" : ""}${k(a.steady - b.steady)}k`;
    console.log(
      `| ${framework} | ${over(tRead, floorRead)} | ${over(tWrite, floorWrite)} | ${over(tAnon, bare)} | ${steadyOver(tRead, floorRead)} / ${steadyOver(tWrite, floorWrite)} / ${steadyOver(tAnon, bare)} | ${k(tRead.redis)} / ${k(floorRead.redis)} | ${k(tWrite.redis)} / ${k(floorWrite.redis)} | ${rates ? `${(rates.app / 1000).toFixed(2)}k, ${(rates.redis / 1000).toFixed(2)}k` : "not calibrated"} |`,
    );
  }
}
