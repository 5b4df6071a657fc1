import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A private redis-server child on a free loopback port, owned by the test that started it. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** Sends a raw command over a fresh connection and returns the raw reply text (tests only). */
  command(...args: string[]): Promise<string>;
  /**
   * Runs `work` and counts the commands clients sent meanwhile, watched
   * through MONITOR: top-level commands only, so a Lua script counts once
   * (INFO's total_commands_processed would also count the commands a script
   * runs inside Redis). Returns the total and the count per command name.
   */
  countCommands(work: () => Promise<unknown>): Promise<{ total: number; byCommand: Record<string, number> }>;
  /** SIGSTOP / SIGCONT the process: a hung server that keeps its data. */
  pause(): void;
  resume(): void;
  /** Stops the process (SIGKILL when `crash`), keeping the port reserved for restart(). */
  stop(options?: { crash?: boolean }): Promise<void>;
  /**
   * Starts again on the same port (data is gone unless it was only paused).
   * `args` are added for this and later launches (e.g. `--replicaof`).
   */
  restart(options?: { args?: string[] }): Promise<void>;
  /** Stops for good and removes its directory. */
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, from the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `count` distinct free loopback ports. Ports from {@link freePort} are
 * released before they are used, so two calls can give the same one: a rig
 * that needs several (a Cluster's client and bus ports) takes them from here.
 */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count && attempt < count * 10; attempt++) ports.add(await freePort());
  if (ports.size < count) throw new Error(`could not find ${count} distinct free ports`);
  return [...ports];
}

function encode(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
}

/** One RESP command over a throwaway socket, with a deadline (a paused server never answers). */
export function rawCommand(port: number, args: string[], timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis ${args[0]} timed out`));
    }, timeoutMs);
    socket.on("connect", () => socket.write(encode(args)));
    socket.on("data", (chunk) => {
      data += chunk.toString("utf8");
      if (isComplete(data)) {
        clearTimeout(timer);
        socket.end();
        resolve(data);
      }
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Good enough for the replies tests read: simple strings, errors, integers, one bulk string. */
function isComplete(data: string): boolean {
  if (!data.endsWith("\r\n")) return false;
  if (data[0] !== "$") return true;
  const header = data.indexOf("\r\n");
  const length = Number(data.slice(1, header));
  return length < 0 || Buffer.byteLength(data) >= header + 2 + length + 2;
}

/**
 * Counts client commands during `work` with a MONITOR connection. A unique
 * ECHO marks the end, so every command sent before it has been seen.
 */
async function countCommands(
  port: number,
  work: () => Promise<unknown>,
): Promise<{ total: number; byCommand: Record<string, number> }> {
  const socket = createConnection({ host: "127.0.0.1", port });
  const marker = `tessera-count-end-${process.pid}-${Date.now()}`;
  let buffer = "";
  let started!: () => void;
  let finished!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const done = new Promise<void>((resolve) => (finished = resolve));
  const lines: string[] = [];
  socket.on("data", (chunk) => {
    buffer += chunk.toString("utf8");
    let end: number;
    while ((end = buffer.indexOf("\r\n")) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (line === "+OK") started();
      else if (line.includes(marker)) finished();
      else if (line.startsWith("+")) lines.push(line);
    }
  });
  socket.write(encode(["MONITOR"]));
  const guard = (what: Promise<void>, label: string) =>
    Promise.race([what, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`MONITOR ${label} timed out`)), 5000).unref())]);
  try {
    await guard(ready, "start");
    await work();
    await rawCommand(port, ["ECHO", marker]);
    await guard(done, "marker");
  } finally {
    socket.destroy();
  }
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const line of lines) {
    // +1700000000.123456 [0 127.0.0.1:5555] "evalsha" ...   (script-inner commands show [0 lua])
    const match = /^\+[\d.]+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
    if (!match || match[1] === "lua") continue;
    const name = match[2]!.toLowerCase();
    byCommand[name] = (byCommand[name] ?? 0) + 1;
    total++;
  }
  return { total, byCommand };
}

/**
 * Waits until the server on `port` answers PING, failing fast if `child`
 * exits first; for a server started some other way than {@link startRedisServer}
 * (under valgrind, bench/instructions.ts), give a longer `deadlineMs`.
 *
 * @example
 * ```ts
 * await waitUntilReady(port, child, 60_000);
 * ```
 */
export async function waitUntilReady(port: number, child: ChildProcess, deadlineMs = 10_000): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; Date.now() - started < deadlineMs; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    try {
      if ((await rawCommand(port, ["PING"], 500)).startsWith("+PONG")) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, Math.min(10 * 2 ** attempt, 100)));
  }
  throw new Error(`redis-server on port ${port} not ready after ${deadlineMs} ms`);
}

/**
 * Servers still running when the test process exits are killed. One shared
 * listener, so rigs of many servers do not trip Node's listener-leak warning.
 */
const onExit = new Set<() => void>();
process.once("exit", () => {
  for (const kill of onExit) kill();
});

/** How to start a server beyond its command-line arguments. */
export interface RedisServerOptions {
  /** Listen on this port instead of a free one picked here (a rig that picked its ports together, see {@link freePorts}). */
  port?: number;
  /**
   * Run as a Sentinel with this configuration text. It goes to a file of the
   * server's own (Sentinel rewrites its config file, so it must be writable).
   */
  sentinelConfig?: string;
}

/** True when the Debian `redis-sentinel` binary is on PATH. */
function hasSentinelBinary(): boolean {
  return spawnSync("redis-sentinel", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * The program and leading arguments for a server or a Sentinel. Sentinel is
 * the same program in another mode: the Debian `redis-sentinel` binary when
 * installed (`.ci/run` installs it), else `redis-server <conf> --sentinel`.
 */
function command(dir: string, options: RedisServerOptions): [string, string[]] {
  if (options.sentinelConfig === undefined) return ["redis-server", []];
  const config = join(dir, "sentinel.conf");
  writeFileSync(config, options.sentinelConfig);
  return hasSentinelBinary() ? ["redis-sentinel", [config]] : ["redis-server", [config, "--sentinel"]];
}

/**
 * Starts several servers at once. If one fails to start, those that did are
 * closed before its error is thrown, so a failed rig start leaves no server
 * behind (a live one would keep the test process from exiting).
 */
export async function startRedisServers(starts: ReadonlyArray<() => Promise<RedisServer>>): Promise<RedisServer[]> {
  const started = await Promise.allSettled(starts.map((start) => start()));
  const servers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed === undefined) return servers;
  await Promise.allSettled(servers.map((server) => server.close()));
  throw failed.reason;
}

/**
 * Starts `redis-server` (must be on PATH) on a free loopback port with no
 * persistence, and waits until it answers PING. Stop it with `stop()`; it is
 * also killed when the test process exits.
 */
export async function startRedisServer(extraArgs: string[] = [], options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "tessera-redis-"));
  const [program, leading] = command(dir, options);
  const args = [...extraArgs];
  let child: ChildProcess;

  const launch = async (): Promise<void> => {
    child = spawn(
      program,
      [...leading, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, ...args],
      { stdio: "ignore" },
    );
    child.once("error", () => undefined);
    try {
      await waitUntilReady(port, child);
    } catch (error) {
      // A server that never answered must not outlive the attempt: its
      // process handle would keep the test process from ever exiting.
      if (child.exitCode === null) child.kill("SIGKILL");
      throw error;
    }
  };
  await launch();

  const killOnExit = (): void => {
    if (child.exitCode === null) child.kill("SIGKILL");
  };
  onExit.add(killOnExit);

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid ?? -1;
    },
    command: (...args) => rawCommand(port, args),
    countCommands: (work) => countCommands(port, work),
    pause: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
    async stop(options = {}) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGCONT");
      child.kill(options.crash ? "SIGKILL" : "SIGTERM");
      await exited;
    },
    async restart(options = {}) {
      await server.stop();
      args.push(...(options.args ?? []));
      await launch();
    },
    async close() {
      await server.stop();
      onExit.delete(killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
