import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { APPS_DIR, type AppSpec } from "./apps.js";

/** A running benchmark app: one Node process owned by the harness. */
export interface RunningApp {
  readonly spec: AppSpec;
  readonly pid: number;
  readonly baseUrl: string;
  /**
   * CPU time the process has used so far (user + system), in microseconds,
   * from the scheduler's per-thread run times: with the request count it gives CPU per
   * request, which other tenants of the machine disturb far less than req/s.
   */
  cpuMicros(): number;
  /** SIGTERM (the app exits cleanly, writing any CPU profile), SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/** Every child the harness started, so an aborted run still kills exactly these. */
const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

export interface StartOptions {
  readonly redisUrl: string;
  /**
   * The app's key prefix. The same length for every app (`a07:`), since key
   * length counts in bytes per session.
   */
  readonly prefix: string;
  /** Directory for `--cpu-prof` output; undefined: no profiling. */
  readonly cpuProfDir?: string;
  readonly readyTimeoutMs?: number;
  /** More arguments for `node`, before the app file (a preload, for example). */
  readonly nodeArgs?: readonly string[];
  /** Starts the process instead of `spawn` (under valgrind, say: bench/lib/callgrind.ts); the app's pid must be the child's. */
  readonly launch?: (program: string, args: string[], options: SpawnOptions) => ChildProcess;
}

/**
 * Starts `bench/apps/<file>` with plain `node` (no loader in the measured
 * process) and waits for its `{"ready":true,"port":N}` line.
 *
 * @example
 * ```ts
 * const app = await startApp(spec, { redisUrl: redis.url });
 * await fetch(`${app.baseUrl}/`);
 * await app.stop();
 * ```
 */
export async function startApp(spec: AppSpec, options: StartOptions): Promise<RunningApp> {
  const nodeArgs = options.cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", options.cpuProfDir, "--cpu-prof-name", `${spec.id}.cpuprofile`] : [];
  const child = (options.launch ?? spawn)(process.execPath, [...nodeArgs, ...(options.nodeArgs ?? []), join(APPS_DIR, spec.file)], {
    env: { ...process.env, ...spec.env, NODE_ENV: "production", BENCH_REDIS_URL: options.redisUrl, BENCH_PREFIX: options.prefix },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });

  const port = await new Promise<number>((resolvePort, reject) => {
    let stdout = "";
    const timer = setTimeout(() => fail(new Error(`${spec.id} not ready after ${options.readyTimeoutMs ?? 15_000} ms`)), options.readyTimeoutMs ?? 15_000);
    function fail(error: Error): void {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${error.message}\n--- ${spec.id} stderr ---\n${stderr}`));
    }
    child.once("exit", (code, signal) => fail(new Error(`${spec.id} exited before it was ready (code ${code}, signal ${signal})`)));
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.once("exit", () => children.delete(child));
      resolvePort((JSON.parse(line) as { port: number }).port);
    });
  });

  return {
    spec,
    pid: child.pid!,
    baseUrl: `http://127.0.0.1:${port}`,
    cpuMicros: () => processCpuMicros(child.pid!),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const grace = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(grace);
    },
  };
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time of a process so far (every thread, user + system), in
 * microseconds: the scheduler's own run time of each thread
 * (`/proc/<pid>/task/<tid>/schedstat`, in ns), summed. /proc/<pid>/stat's
 * utime + stime come in 10 ms ticks, which is 1.4% of a 5-second
 * measurement of an app using a seventh of a core. Falls back to stat on a
 * kernel without schedstats.
 */
export function processCpuMicros(pid: number): number {
  // schedstat exists for every thread or for none (CONFIG_SCHEDSTATS), so
  // the main thread's own entry (its tid is the pid) tells which.
  if (!existsSync(`/proc/${pid}/task/${pid}/schedstat`)) return tickedCpuMicros(pid);
  let nanos = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanos += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return nanos / 1000;
}

/** utime and stime of a process from /proc/<pid>/stat, in microseconds (10 ms ticks). */
function statCpuMicros(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const micros = (ticks: string | undefined): number => (Number(ticks) * 1e6) / CLOCK_TICKS_PER_SECOND;
  return { user: micros(fields[11]), system: micros(fields[12]) }; // utime (14th), stime (15th)
}

/** utime + stime of a process from /proc/<pid>/stat, in microseconds. */
function tickedCpuMicros(pid: number): number {
  const { user, system } = statCpuMicros(pid);
  return user + system;
}

/**
 * User CPU time of a process so far (every thread), in microseconds, from
 * /proc/<pid>/stat's utime (10 ms ticks): the part of its CPU time that
 * user-space instruction counts (bench/instructions.ts) compare with.
 *
 * @example
 * ```ts
 * const before = userCpuMicros(app.pid); await load(); const used = userCpuMicros(app.pid) - before;
 * ```
 */
export function userCpuMicros(pid: number): number {
  return statCpuMicros(pid).user;
}
