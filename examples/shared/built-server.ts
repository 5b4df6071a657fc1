/**
 * Runs a full-stack framework's production server (a Nuxt `.output`, a
 * React Router build) as a child process on 127.0.0.1 and speaks the demo
 * launcher's protocol for it: the child's first "http://127.0.0.1:<port>"
 * line on stdout is its address; this process sends the launcher "ready"
 * with that port and the instance name the child's pages show, and stops
 * the child when the launcher goes away. The child's own environment is
 * this one's (REDIS_URL, SESSION_STORE, INSTANCE_NAME, TRUST_PROXY...).
 */
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { createInterface } from "node:readline";
import type { InstanceReady } from "./instance-protocol.js";

/** How long the child may take to stop before it is killed. */
const SHUTDOWN_GRACE_MS = 3000;
const LISTENING = /http:\/\/127\.0\.0\.1:(\d+)/;

/**
 * Starts `node <args>` with `env` added and relays its readiness.
 *
 * @example
 * ```ts
 * await ensureBuilt();
 * runBuiltServer([NUXT_LOGIN_ENTRY], { PORT: process.env.PORT ?? "3000", HOST: "127.0.0.1" });
 * ```
 */
export function runBuiltServer(args: readonly string[], env: Record<string, string>): void {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
  // The child names itself as every example does: INSTANCE_NAME (or the host name) and its pid.
  const instance = `${process.env.INSTANCE_NAME ?? hostname()} · pid ${child.pid}`;
  let ready = false;
  createInterface({ input: child.stdout! }).on("line", (line) => {
    console.log(line);
    const port = LISTENING.exec(line)?.[1];
    if (ready || port === undefined) return;
    ready = true;
    console.log(`login example ${instance} on http://127.0.0.1:${port}`);
    const message: InstanceReady = { type: "ready", port: Number(port), pid: process.pid, instance };
    process.send?.(message);
  });
  child.once("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), SHUTDOWN_GRACE_MS).unref();
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  // The launcher holds the IPC channel: if it dies, the instance must not stay behind.
  process.once("disconnect", shutdown);
}
