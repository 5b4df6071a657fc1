/**
 * Decides where the demo keeps its sessions: REDIS_URL, a Redis already on
 * 127.0.0.1:6379, a private redis-server, or (failing all) the memory store.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { Redis } from "ioredis";
import { terminate } from "./terminate.js";

/** Where sessions live, and how to let go of it. */
export type StoreChoice =
  | {
      kind: "redis";
      url: string;
      /** "env": REDIS_URL; "local": found on the default port; "private": started for this demo. */
      source: "env" | "local" | "private";
      /** The private redis-server's pid, when this demo started one. */
      pid?: number;
      /** One line for the start-up report. */
      description: string;
      /** Stops the private redis-server (if any) and removes its directory. */
      release(): Promise<void>;
    }
  | { kind: "memory"; description: string; release(): Promise<void> };

/** Inputs, overridable so tests can point the probe at a port they control. */
export interface StoreChoiceOptions {
  /** REDIS_URL from the environment, if any. */
  redisUrl?: string | undefined;
  /** The address tried when REDIS_URL is unset. Default `redis://127.0.0.1:6379`. */
  localUrl?: string;
  /** Skip Redis entirely (`--memory`). */
  forceMemory?: boolean;
  /** The redis-server binary, looked up on PATH. Default `"redis-server"`. */
  redisServerCommand?: string;
  /** Deadline for one probe: connect plus PING. A hung server accepts and never answers. Default 1000 ms. */
  probeTimeoutMs?: number;
}

/**
 * Chooses the session store for the demo, in the order the README promises.
 * An unreachable REDIS_URL is an error (the user asked for it), not a reason
 * to fall back silently.
 *
 * @example
 * ```ts
 * const store = await chooseStore({ redisUrl: process.env.REDIS_URL });
 * console.log(store.description);
 * // ... on shutdown:
 * await store.release();
 * ```
 */
export async function chooseStore(options: StoreChoiceOptions = {}): Promise<StoreChoice> {
  const nothing = async (): Promise<void> => undefined;
  if (options.forceMemory) {
    return { kind: "memory", description: "memory store (--memory): one instance, sessions not shared", release: nothing };
  }
  const probeTimeoutMs = options.probeTimeoutMs ?? 1000;
  if (options.redisUrl) {
    const problem = await probeRedis(options.redisUrl, probeTimeoutMs);
    if (problem) throw new Error(`REDIS_URL=${redact(options.redisUrl)} does not answer PING: ${problem}`);
    return { kind: "redis", url: options.redisUrl, source: "env", description: `Redis at ${redact(options.redisUrl)} (from REDIS_URL)`, release: nothing };
  }
  const localUrl = options.localUrl ?? "redis://127.0.0.1:6379";
  const localProblem = await probeRedis(localUrl, probeTimeoutMs);
  if (!localProblem) {
    return { kind: "redis", url: localUrl, source: "local", description: `Redis at ${localUrl} (answered PING)`, release: nothing };
  }
  const binary = findOnPath(options.redisServerCommand ?? "redis-server");
  if (binary) {
    const server = await startPrivateRedis(binary, probeTimeoutMs);
    return {
      kind: "redis",
      url: server.url,
      source: "private",
      pid: server.pid,
      description: `private redis-server (pid ${server.pid}) at ${server.url}, started for this demo (nothing answered at ${localUrl})`,
      release: server.stop,
    };
  }
  return {
    kind: "memory",
    description: `memory store: no REDIS_URL, nothing at ${localUrl} (${localProblem}), no redis-server on PATH. One instance, sessions not shared`,
    release: nothing,
  };
}

/** Hides a password in a Redis URL before printing it. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * PINGs a Redis URL with ioredis within `timeoutMs`: `undefined` when it
 * answered, else the reason. No retries, no offline queue.
 *
 * @example
 * ```ts
 * if (!(await probeRedis("redis://127.0.0.1:6379", 1000))) console.log("a Redis answers");
 * ```
 */
export async function probeRedis(url: string, timeoutMs: number): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on("error", () => undefined); // reported through the rejected promise below
  try {
    await client.connect();
    const reply = await client.ping();
    return reply === "PONG" ? undefined : `unexpected reply ${reply}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    client.disconnect();
  }
}

/** The absolute path of an executable on PATH, or undefined. */
function findOnPath(command: string): string | undefined {
  if (command.includes("/")) return isExecutable(command) ? command : undefined;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && isExecutable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1, from the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

interface PrivateRedis {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** How long a private redis-server may take to answer its first PING. */
const PRIVATE_REDIS_READY_MS = 15_000;

/** Starts redis-server on a free loopback port, without persistence, and waits for PING. */
async function startPrivateRedis(binary: string, probeTimeoutMs: number): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tessera-demo-redis-"));
  const child: ChildProcess = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: "ignore" },
  );
  const stop = async (): Promise<void> => {
    await terminate(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `redis://127.0.0.1:${port}`;
  const started = Date.now();
  let problem: string | undefined = "not started";
  while (Date.now() - started < PRIVATE_REDIS_READY_MS) {
    if (child.exitCode !== null || child.pid === undefined) break;
    problem = await probeRedis(url, probeTimeoutMs);
    if (!problem) return { url, pid: child.pid, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`private redis-server on port ${port} did not answer: ${problem}`);
}
