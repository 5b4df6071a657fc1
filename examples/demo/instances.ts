/**
 * Starts and stops app instances as child processes, each owned by its pid.
 * Used by the demo launcher and by the fleet tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isInstanceReady } from "../shared/instance-protocol.js";
import { terminate } from "./terminate.js";

/** The Express login example's entry point. */
export const EXPRESS_LOGIN_SERVER = fileURLToPath(new URL("../express-login/server.ts", import.meta.url));

/** Every framework's login example entry point, by framework name. */
/** The Flask example under gunicorn, speaking the same start-up protocol (`--with-flask`). */
export const FLASK_LOGIN_SERVER = fileURLToPath(new URL("../flask-login/server.ts", import.meta.url));

export const LOGIN_SERVERS: Readonly<Record<string, string>> = Object.fromEntries(
  ["express", "fastify", "koa", "hono", "node"].map((name) => [name, fileURLToPath(new URL(`../${name}-login/server.ts`, import.meta.url))]),
);

/** How to start one instance. */
export interface InstanceOptions {
  /** The server script (TypeScript, run through tsx). Default: the Express login example. */
  script?: string;
  /** Shown as "Served by" with the pid, e.g. "app-1". */
  name: string;
  /** Extra environment (REDIS_URL, SESSION_STORE, TRUST_PROXY...). PORT is always 0: the OS picks. */
  env?: Record<string, string | undefined>;
  /** Where its stdout/stderr go. Default: this process's. */
  stdio?: "inherit" | "ignore";
  /** How long start-up may take (tsx compiles on the fly; generous for a busy machine). Default 60 s. */
  readyTimeoutMs?: number;
}

/** One running instance. */
export interface RunningInstance {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The name its pages show ("app-1 · pid 1234"). */
  readonly instance: string;
  /** Resolves when the process has exited, with its exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the process is still running. */
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s); resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** The tsx loader, by absolute URL, so instances start from any working directory. */
const TSX_LOADER = import.meta.resolve("tsx");

/**
 * Spawns `node --import tsx <script>` with an IPC channel and waits for its
 * "ready" message. The instance exits by itself if this process dies (the
 * IPC channel closes), so a crashed launcher leaves no instance behind.
 *
 * @example
 * ```ts
 * const app = await startInstance({ name: "app-1", env: { REDIS_URL: "redis://127.0.0.1:6379" } });
 * console.log(app.url, app.pid);
 * await app.stop();
 * ```
 */
export async function startInstance(options: InstanceOptions): Promise<RunningInstance> {
  const script = options.script ?? EXPRESS_LOGIN_SERVER;
  const child = spawn(process.execPath, ["--import", TSX_LOADER, script], {
    stdio: [
      "ignore",
      options.stdio ?? "inherit",
      options.stdio ?? "inherit",
      "ipc",
    ],
    env: { ...process.env, ...options.env, INSTANCE_NAME: options.name, PORT: "0" },
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const pid = child.pid;
  if (pid === undefined) throw await spawnError(child);

  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const ready = await Promise.race([
      new Promise<{ port: number; instance: string }>((resolve) => {
        child.on("message", (message) => {
          if (isInstanceReady(message)) resolve(message);
        });
      }),
      exited.then(({ code, signal }) => {
        throw new Error(`${options.name} exited during start-up (code ${code}, signal ${signal})`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${options.name} not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);
      }),
    ]);
    return makeHandle(options.name, child, pid, ready.port, ready.instance, exited);
  } catch (error) {
    await terminate(child, { graceMs: 2000 });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function spawnError(child: ChildProcess): Promise<Error> {
  return new Promise((resolve) => child.once("error", resolve));
}

function makeHandle(
  name: string,
  child: ChildProcess,
  pid: number,
  port: number,
  instance: string,
  exited: RunningInstance["exited"],
): RunningInstance {
  return {
    name,
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    instance,
    exited,
    isRunning: () => child.exitCode === null && child.signalCode === null,
    stop: (graceMs = 5000) => terminate(child, { graceMs }),
  };
}
