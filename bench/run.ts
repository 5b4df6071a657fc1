// `npm run bench`: Tessera against express-session, @fastify/session and
// koa-session and the bare frameworks (Node ones and the fetch-based
// full-stack ones), side by side in one run. Method and
// reading guide: docs/performance.md.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, relative, resolve } from "node:path";
import { startRedisServer } from "../test/support/redis-server.js";
import { summarizeThroughput } from "./lib/analysis.js";
import { startApp, type RunningApp } from "./lib/app-process.js";
import { ROOT_DIR, catalogue, installedVersion, measuredIn } from "./lib/apps.js";
import { ratioChart } from "./lib/chart.js";
import { ensureBenchBuilds } from "./lib/framework-builds.js";
import type { BenchContext } from "./lib/context.js";
import { validateApp } from "./lib/http.js";
import { commandsPhase } from "./lib/phases/commands.js";
import { cpuPhase } from "./lib/phases/cpu.js";
import { lostUpdatesPhase } from "./lib/phases/lost-updates.js";
import { memoryPhase } from "./lib/phases/memory.js";
import { scalePhase } from "./lib/phases/scale.js";
import { throughputPhase } from "./lib/phases/throughput.js";
import { PHASES, planFromArgs } from "./lib/plan.js";
import { parseInfo, RedisProbe } from "./lib/redis-probe.js";
import { renderReport, type BenchResults } from "./lib/report.js";

const started = Date.now();
const log = (message: string): void => {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
};

function gitCommit(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT_DIR, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT_DIR, encoding: "utf8" }).trim();
    return dirty ? `${commit}+changes` : commit;
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const plan = planFromArgs(process.argv.slice(2));
  const { apps: allApps, absent } = catalogue();
  // --only=X also runs X's bare framework and floor (what its cost is set
  // against) and, for a Tessera app, its coalesce-off variant.
  const wanted = new Set(plan.only);
  for (const app of allApps) {
    if (wanted.has(app.id)) for (const yardstick of [`bare-${app.framework}`, `floor-${app.framework}`]) wanted.add(yardstick);
  }
  for (const app of allApps) if (app.variantOf !== undefined && wanted.has(app.variantOf)) wanted.add(app.id);
  // Apps no chosen phase measures are not started.
  const specs = (plan.only.length ? allApps.filter((a) => wanted.has(a.id)) : allApps).filter((a) => [...plan.phases].some((phase) => measuredIn(a, phase)));
  for (const id of plan.only) if (!allApps.some((a) => a.id === id)) throw new Error(`--only: no runnable app "${id}"`);
  for (const a of absent) log(`ABSENT ${a.id}: ${a.reason}`);

  // A partial run (--quick, --only, --phases) must never overwrite the full run's results.
  const partial = plan.quick || plan.only.length > 0 || plan.phases.size < PHASES.length;
  const outDir = resolve(ROOT_DIR, plan.outDir, partial && plan.outDir === "bench/results" ? "tmp" : ".");
  const baseName = partial ? (plan.quick ? "quick" : "partial") : "latest";
  mkdirSync(outDir, { recursive: true });
  const cpuProfDir = plan.cpuProf ? join(ROOT_DIR, "bench/results/tmp/profiles") : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });

  // The full-stack frameworks' production builds, before the apps that serve them start (and before the load average is read).
  await ensureBenchBuilds(new Set(specs.map((s) => s.framework)), log);
  const loadAverageBefore = loadavg();
  const redis = await startRedisServer();
  const probe = new RedisProbe(redis.url);
  const apps: RunningApp[] = [];
  try {
    log(`redis-server on ${redis.url}; starting ${specs.length} apps`);
    // A few at a time: two dozen Node processes loading their frameworks at
    // once on a small, busy machine can each take longer than the ready timeout.
    for (let first = 0; first < specs.length; first += 4) {
      const batch = specs.slice(first, first + 4);
      apps.push(
        ...(await Promise.all(
          batch.map((spec, i) => startApp(spec, { redisUrl: redis.url, prefix: `a${String(first + i).padStart(2, "0")}:`, cpuProfDir, readyTimeoutMs: 30_000 })),
        )),
      );
    }
    for (const app of apps) await validateApp(app);
    log(`all apps answer correctly: ${apps.map((a) => a.spec.id).join(", ")}`);

    const ctx: BenchContext = { plan, apps, probe, redisUrl: redis.url, log };
    const results = {
      apps: specs,
      absent,
      cpu: plan.phases.has("cpu") ? await cpuPhase(ctx) : undefined,
      throughput: plan.phases.has("throughput") ? await throughputPhase(ctx) : undefined,
      commands: plan.phases.has("commands") ? await commandsPhase(ctx) : undefined,
      memory: plan.phases.has("memory") ? await memoryPhase(ctx) : undefined,
      lostUpdates: plan.phases.has("lost-updates") ? await lostUpdatesPhase(ctx) : undefined,
      scale: plan.phases.has("scale") ? await scalePhase(ctx) : undefined,
    };

    const packages = [...new Set(specs.flatMap((s) => s.packages))];
    const final: BenchResults = {
      ...results,
      meta: {
        startedAt: new Date(started).toISOString(),
        durationSeconds: (Date.now() - started) / 1000,
        quick: plan.quick,
        node: process.versions.node,
        redis: parseInfo(await probe.client.info("server")).get("redis_version") ?? "?",
        cpus: cpus().length,
        loadAverageBefore,
        loadAverageAfter: loadavg(),
        gitCommit: gitCommit(),
        plan: { ...plan, phases: [...plan.phases] },
        versions: Object.fromEntries(packages.map((p) => [p, installedVersion(p)])),
      },
    };
    const chartSubtitle = `${final.meta.quick ? "Quick run" : "Full run"} ${final.meta.startedAt.slice(0, 10)}, commit ${final.meta.gitCommit}: median of ${plan.rounds} rounds, whiskers min–max`;
    writeFileSync(join(outDir, `${baseName}.json`), `${JSON.stringify(final, null, 2)}\n`);
    writeFileSync(join(outDir, `${baseName}.svg`), ratioChart(final.throughput ? summarizeThroughput(final.throughput, specs) : [], chartSubtitle));
    writeFileSync(join(outDir, `${baseName}.md`), renderReport(final).replace("(latest.svg)", `(${baseName}.svg)`));
    log(`wrote ${relative(ROOT_DIR, join(outDir, `${baseName}.md`))} (+ .svg, .json) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    await probe.close().catch(() => undefined);
    await redis.close();
  }
  if (cpuProfDir) log(`CPU profiles in ${relative(ROOT_DIR, cpuProfDir)}`);
}

main().catch((error: unknown) => {
  log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
