// CPU per request of the same benchmark apps built from two checkouts, in one
// run: this tree (B) against another (A, e.g. the parent commit), alternating
// A B A B per round and scenario, so a change's effect is read from runs
// seconds apart on a machine shared with others.
//
//   git archive <base> | tar -x -C /tmp/base && ln -s "$PWD/node_modules" /tmp/base/node_modules
//   (cd /tmp/base && npx tsc -p tsconfig.build.json) && npm run build
//   npx tsx bench/ab-cpu.ts --base=/tmp/base --apps=tessera-express,tessera-koa [--rounds=6] [--cpu-prof]
//
// Prints, per app and scenario, the median app and Redis µs per request of A
// and of B and the median of the per-round differences B − A.
import { mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startRedisServer } from "../test/support/redis-server.js";
import { startApp, type RunningApp } from "./lib/app-process.js";
import { APPS_DIR, catalogue, ROOT_DIR } from "./lib/apps.js";
import { sleep } from "./lib/context.js";
import { login } from "./lib/http.js";
import { fireRequests, paceRequests } from "./lib/load.js";
import { RedisProbe } from "./lib/redis-probe.js";
import { median } from "./lib/stats.js";
import { SCENARIO_PATHS, type Scenario } from "./lib/scenarios.js";


const { values } = parseArgs({
  options: {
    base: { type: "string" },
    apps: { type: "string" },
    scenarios: { type: "string", default: "read,write,anonymous" },
    rounds: { type: "string", default: "6" },
    rate: { type: "string", default: "4000" },
    requests: { type: "string", default: "20000" },
    "cpu-prof": { type: "boolean", default: false },
  },
});
if (!values.base || !values.apps) throw new Error("usage: tsx bench/ab-cpu.ts --base=<checkout> --apps=<id,...> [--scenarios=read,write,anonymous] [--rounds=6]");
const baseApps = resolve(values.base, "bench/apps");
const rounds = Number(values.rounds);
const rate = Number(values.rate);
const total = Number(values.requests);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error("--rounds: 1 to 20");
const scenarios = values.scenarios.split(",") as Scenario[];
for (const s of scenarios) if (!(s in SCENARIO_PATHS)) throw new Error(`unknown scenario ${s}`);

const { apps: specs } = catalogue();
const chosen = values.apps.split(",").map((id) => {
  const spec = specs.find((s) => s.id === id);
  if (!spec) throw new Error(`no app ${id}`);
  return spec;
});

const redis = await startRedisServer();
const probe = new RedisProbe(redis.url);
const cpuProfDir = values["cpu-prof"] ? join(ROOT_DIR, "bench/results/tmp/profiles") : undefined;
if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
const pairs: Array<{ id: string; a: RunningApp; b: RunningApp }> = [];
try {
  let n = 0;
  for (const spec of chosen) {
    // The base tree's app file, reached from this tree's apps directory.
    const aSpec = { ...spec, id: `${spec.id}-A`, file: relative(APPS_DIR, join(baseApps, spec.file)) };
    const bSpec = { ...spec, id: `${spec.id}-B` };
    const a = await startApp(aSpec, { redisUrl: redis.url, prefix: `a${String(n++).padStart(2, "0")}:`, cpuProfDir, readyTimeoutMs: 30_000 });
    const b = await startApp(bSpec, { redisUrl: redis.url, prefix: `a${String(n++).padStart(2, "0")}:`, cpuProfDir, readyTimeoutMs: 30_000 });
    pairs.push({ id: spec.id, a, b });
  }
  const cookies = new Map<RunningApp, string>();
  for (const { a, b } of pairs) for (const app of [a, b]) cookies.set(app, app.spec.kind === "bare" ? "x=1" : await login(app));
  const cookieOf = (app: RunningApp, s: Scenario): string | undefined => (s === "anonymous" ? undefined : cookies.get(app));
  for (const { a, b } of pairs) {
    for (const app of [a, b]) {
      for (const s of scenarios) await fireRequests({ url: `${app.baseUrl}${SCENARIO_PATHS[s]}`, cookie: cookieOf(app, s), total: 3000, concurrency: 20 });
    }
  }
  const measure = async (app: RunningApp, s: Scenario): Promise<{ app: number; redis: number }> => {
    await sleep(100);
    const appBefore = app.cpuMicros();
    const redisBefore = await probe.cpuMicros();
    const run = await paceRequests({ url: `${app.baseUrl}${SCENARIO_PATHS[s]}`, cookie: cookieOf(app, s), rate, connections: 20, total });
    const requests = run.ok + run.failed;
    if (run.failed) throw new Error(`${app.spec.id} ${s}: ${run.failed} failed`);
    return { app: (app.cpuMicros() - appBefore) / requests, redis: ((await probe.cpuMicros()) - redisBefore) / requests };
  };
  const results = new Map<string, { a: number[]; b: number[]; d: number[]; ra: number[]; rb: number[] }>();
  for (let round = 1; round <= rounds; round++) {
    for (const s of scenarios) {
      for (const { id, a, b } of pairs) {
        // Alternate which goes first, so a drift in the machine's load favours neither.
        const [first, second] = round % 2 ? [a, b] : [b, a];
        const m1 = await measure(first, s);
        const m2 = await measure(second, s);
        const [ma, mb] = first === a ? [m1, m2] : [m2, m1];
        const key = `${id} ${s}`;
        const r = results.get(key) ?? { a: [], b: [], d: [], ra: [], rb: [] };
        r.a.push(ma.app + ma.redis);
        r.b.push(mb.app + mb.redis);
        r.d.push(mb.app + mb.redis - (ma.app + ma.redis));
        r.ra.push(ma.redis);
        r.rb.push(mb.redis);
        results.set(key, r);
        process.stderr.write(`r${round} ${key.padEnd(28)} A ${(ma.app + ma.redis).toFixed(1).padStart(6)}  B ${(mb.app + mb.redis).toFixed(1).padStart(6)}  B−A ${(mb.app + mb.redis - ma.app - ma.redis).toFixed(1).padStart(6)}\n`);
      }
    }
  }
  console.log("| app scenario | A app+Redis µs | B app+Redis µs | B − A median (min–max) | Redis A / B |");
  console.log("| --- | --- | --- | --- | --- |");
  for (const [key, r] of results) {
    console.log(
      `| ${key} | ${median(r.a).toFixed(1)} | ${median(r.b).toFixed(1)} | ${median(r.d).toFixed(1)} (${Math.min(...r.d).toFixed(1)}–${Math.max(...r.d).toFixed(1)}) | ${median(r.ra).toFixed(1)} / ${median(r.rb).toFixed(1)} |`,
    );
  }
} finally {
  await Promise.all(pairs.flatMap(({ a, b }) => [a.stop(), b.stop()]));
  await probe.close().catch(() => undefined);
  await redis.close();
}
