/**
 * The Flask bench: the same Flask app on python/tessera_session and on
 * Flask-Session 0.3 (Debian's python3-flask-session, its Redis type), in the
 * same run, against one private redis-server. Each app runs under gunicorn
 * (one gthread worker, 4 threads) and is driven at a fixed rate; reported
 * per request: the app's CPU (gunicorn master + worker, from /proc), Redis's
 * CPU (INFO cpu) and the commands Redis executed (INFO commandstats, a
 * script's inner commands included), for a read (GET /) and a write (GET /hit
 * incrementing a counter). Apps are interleaved over rounds so their
 * differences come from runs seconds apart.
 *
 *   npx tsx bench/flask.ts [--rate=300] [--requests=3000] [--rounds=3]
 *
 * Writes bench/results/flask-latest.md.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startRedisServer } from "../test/support/redis-server.js";
import { BENCH_DIR, ROOT_DIR } from "./lib/apps.js";
import { processCpuMicros } from "./lib/app-process.js";
import { fireRequests, paceRequests } from "./lib/load.js";
import { diffStats, RedisProbe } from "./lib/redis-probe.js";
import { median } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: { rate: { type: "string", default: "300" }, requests: { type: "string", default: "3000" }, rounds: { type: "string", default: "3" } },
});
const RATE = Number(args.rate);
const REQUESTS = Number(args.requests);
const ROUNDS = Number(args.rounds);
const CONNECTIONS = 4;
const WARMUP_REQUESTS = 300;
const GUNICORN = "/usr/bin/gunicorn";

interface FlaskApp {
  readonly id: string;
  readonly label: string;
  readonly cookieName: string;
  readonly master: ChildProcess;
  readonly workerPid: number;
  readonly baseUrl: string;
  cookie?: string;
}

const APPS = [
  { id: "flask-tessera", label: "Flask + tessera_session", module: "tessera_app:app", cookieName: "tessera", prefix: "a90:" },
  { id: "flask-session", label: "Flask + Flask-Session 0.3 (redis)", module: "flask_session_app:app", cookieName: "session", prefix: "a91:" },
] as const;

/** Starts gunicorn on a free port and waits (bounded) for its port and its worker's pid. */
function startGunicorn(spec: (typeof APPS)[number], redisUrl: string): Promise<FlaskApp> {
  const master = spawn(GUNICORN, ["--bind", "127.0.0.1:0", "--workers", "1", "--worker-class", "gthread", "--threads", "4", "--chdir", join(BENCH_DIR, "apps", "flask"), spec.module], {
    env: { ...process.env, BENCH_REDIS_URL: redisUrl, BENCH_PREFIX: spec.prefix, PYTHONDONTWRITEBYTECODE: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let text = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      master.kill("SIGKILL");
      reject(new Error(`${spec.id}: gunicorn not ready in 30 s\n${text}`));
    }, 30_000);
    master.once("exit", (code) => reject(new Error(`${spec.id}: gunicorn exited (${code})\n${text}`)));
    master.stderr!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const port = /Listening at: http:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1];
      const worker = /Booting worker with pid: (\d+)/.exec(text)?.[1];
      if (port && worker) {
        clearTimeout(timer);
        resolve({ id: spec.id, label: spec.label, cookieName: spec.cookieName, master, workerPid: Number(worker), baseUrl: `http://127.0.0.1:${port}` });
      }
    });
  });
}

async function logIn(app: FlaskApp): Promise<string> {
  const response = await fetch(`${app.baseUrl}/login`);
  const value = new RegExp(`^${app.cookieName}=([^;]+)`).exec(response.headers.get("set-cookie") ?? "")?.[1];
  if (!response.ok || !value) throw new Error(`${app.id}: login gave no session cookie`);
  return `${app.cookieName}=${value}`;
}

const cpuOf = (app: FlaskApp): number => processCpuMicros(app.master.pid!) + processCpuMicros(app.workerPid);

interface Sample {
  appId: string;
  scenario: "read" | "write";
  achievedRate: number;
  appMicros: number;
  redisMicros: number;
  commands: number;
  failed: number;
}

const redis = await startRedisServer();
const probe = new RedisProbe(redis.url);
const apps: FlaskApp[] = [];
try {
  for (const spec of APPS) apps.push(await startGunicorn(spec, redis.url));
  for (const app of apps) {
    app.cookie = await logIn(app);
    for (const path of ["/", "/hit"]) {
      const warm = await fireRequests({ url: `${app.baseUrl}${path}`, cookie: app.cookie, total: WARMUP_REQUESTS, concurrency: CONNECTIONS });
      if (warm.failed > 0) throw new Error(`${app.id} ${path}: ${warm.failed} failed warm-up requests`);
    }
  }
  const samples: Sample[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const scenario of ["read", "write"] as const) {
      for (const app of apps) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const [cpuBefore, redisBefore, statsBefore] = [cpuOf(app), await probe.cpuMicros(), await probe.commandStats()];
        const run = await paceRequests({ url: `${app.baseUrl}${scenario === "read" ? "/" : "/hit"}`, cookie: app.cookie, rate: RATE, connections: CONNECTIONS, total: REQUESTS });
        const requests = run.ok + run.failed;
        const executed = [...diffStats(statsBefore, await probe.commandStats()).values()].reduce((sum, stat) => sum + stat.calls, 0);
        const sample: Sample = {
          appId: app.id,
          scenario,
          achievedRate: run.achievedRate,
          appMicros: (cpuOf(app) - cpuBefore) / requests,
          redisMicros: ((await probe.cpuMicros()) - redisBefore) / requests,
          commands: executed / requests,
          failed: run.failed,
        };
        samples.push(sample);
        console.log(
          `r${round} ${scenario.padEnd(5)} ${app.id.padEnd(14)} ${sample.achievedRate.toFixed(0).padStart(4)} req/s  app ${sample.appMicros.toFixed(0).padStart(5)} µs  ` +
            `redis ${sample.redisMicros.toFixed(1).padStart(5)} µs  ${sample.commands.toFixed(2)} commands/req${sample.failed ? `  FAILED ${sample.failed}` : ""}`,
        );
      }
    }
  }
  const rows = apps.flatMap((app) =>
    (["read", "write"] as const).map((scenario) => {
      const mine = samples.filter((s) => s.appId === app.id && s.scenario === scenario);
      const m = (pick: (s: Sample) => number): number => median(mine.map(pick));
      return `| ${app.label} | ${scenario} | ${m((s) => s.achievedRate).toFixed(0)} | ${m((s) => s.appMicros).toFixed(0)} | ${m((s) => s.redisMicros).toFixed(1)} | ${m((s) => s.commands).toFixed(2)} |`;
    }),
  );
  const report = [
    `# Flask bench: tessera_session beside Flask-Session`,
    ``,
    `${new Date().toISOString()}, ${ROUNDS} rounds of ${REQUESTS} requests at ${RATE} req/s over ${CONNECTIONS} connections, gunicorn (1 gthread worker, 4 threads); medians. \`npx tsx bench/flask.ts\`.`,
    ``,
    `| app | request | req/s | app CPU µs/req | Redis CPU µs/req | Redis commands/req |`,
    `|---|---|---:|---:|---:|---:|`,
    ...rows,
    ``,
  ].join("\n");
  writeFileSync(join(ROOT_DIR, "bench", "results", "flask-latest.md"), report);
  console.log(`\n${report}`);
} finally {
  for (const app of apps) {
    const exited = new Promise((resolve) => app.master.once("exit", resolve));
    app.master.kill("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  }
  probe.client.disconnect();
  await redis.close();
}
