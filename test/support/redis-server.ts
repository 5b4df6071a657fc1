import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
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
   * Number of commands the server has executed, not counting these probes:
   * the difference of two calls is what ran in between. Redis counts the
   * commands a Lua script calls too; use `countCommands` for round trips.
   */
  commandsProcessed(): Promise<number>;
  /**
   * Top-level commands clients sent while `work` ran (a script counts once,
   * the commands it calls not at all), watched with MONITOR. Nothing else
   * may talk to the server meanwhile.
   */
  countCommands(work: () => Promise<unknown>): Promise<number>;
  /** SIGSTOP / SIGCONT the process: a hung server that keeps its data. */
  pause(): void;
  resume(): void;
  /** Stops the process (SIGKILL when `crash`), keeping the port reserved for restart(). */
  stop(options?: { crash?: boolean }): Promise<void>;
  /** Starts again on the same port (data is gone unless it was only paused). */
  restart(): Promise<void>;
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

function encode(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
}

/** One RESP command over a throwaway socket, with a deadline (a paused server never answers). */
function rawCommand(port: number, args: string[], timeoutMs = 2000): Promise<string> {
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
 * MONITOR prints every command the server runs: client commands as
 * `+<time> [<db> <addr>] "cmd" ...`, commands called by a script as
 * `[<db> lua]`. Counts the client ones sent while `work` ran; a marker ECHO
 * sent afterwards tells when the stream has caught up.
 */
async function countTopLevelCommands(port: number, work: () => Promise<unknown>, timeoutMs = 5000): Promise<number> {
  const socket = createConnection({ host: "127.0.0.1", port });
  let buffered = "";
  let notify = (): void => undefined;
  socket.on("data", (chunk) => {
    buffered += chunk.toString("utf8");
    notify();
  });
  const waitFor = (predicate: () => boolean, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`MONITOR: no ${what} within ${timeoutMs} ms`)), timeoutMs);
      notify = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        resolve();
      };
      socket.once("error", reject);
      notify();
    });
  try {
    socket.write(encode(["MONITOR"]));
    await waitFor(() => buffered.startsWith("+OK\r\n"), "+OK");
    buffered = buffered.slice(5);
    await work();
    const marker = `tessera-count-${process.pid}-${Date.now()}-${Math.random()}`;
    await rawCommand(port, ["ECHO", marker]);
    await waitFor(() => buffered.includes(marker), "marker");
    const lines = buffered.slice(0, buffered.indexOf(marker)).split("\r\n");
    // The last line is the marker's own ECHO; script-called commands show as "lua".
    return lines.filter((line) => line.startsWith("+") && !/^\+\S+ \[\d+ lua\]/.test(line)).length - 1;
  } finally {
    socket.destroy();
  }
}

async function waitUntilReady(port: number, child: ChildProcess, deadlineMs = 10_000): Promise<void> {
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
 * Starts `redis-server` (must be on PATH) on a free loopback port with no
 * persistence, and waits until it answers PING. Stop it with `stop()`; it is
 * also killed when the test process exits.
 */
export async function startRedisServer(extraArgs: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tessera-redis-"));
  let child: ChildProcess;

  /** INFO probes sent to the current process (a restart starts counting afresh). */
  let probes = 0;

  const launch = async (): Promise<void> => {
    probes = 0;
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, ...extraArgs],
      { stdio: "ignore" },
    );
    child.once("error", () => undefined);
    await waitUntilReady(port, child);
  };
  await launch();

  const killOnExit = (): void => {
    if (child.exitCode === null) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid ?? -1;
    },
    command: (...args) => rawCommand(port, args),
    async commandsProcessed() {
      const info = await rawCommand(port, ["INFO", "stats"]);
      const match = /total_commands_processed:(\d+)/.exec(info);
      // Redis counts a command after it runs, so this INFO is not in its own
      // reply, but every earlier probe is: leave those out, so the difference
      // of two probes is exactly the commands run in between.
      const executed = Number(match?.[1] ?? 0) - probes;
      probes++;
      return executed;
    },
    countCommands: (work) => countTopLevelCommands(port, work),
    pause: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
    async stop(options = {}) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGCONT");
      child.kill(options.crash ? "SIGKILL" : "SIGTERM");
      await exited;
    },
    async restart() {
      await server.stop();
      await launch();
    },
    async close() {
      await server.stop();
      process.removeListener("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
