import type { ChildProcess } from "node:child_process";

/**
 * Stops a child process this program started, by its pid: `signal`
 * (default SIGTERM), then SIGKILL if it is still running after `graceMs`.
 * Resolves once it has exited; at once if it already has.
 *
 * @example
 * ```ts
 * const child = spawn("redis-server", ["--port", "0"]);
 * // ...
 * await terminate(child, { graceMs: 5000 });
 * ```
 */
export async function terminate(
  child: ChildProcess,
  { graceMs = 5000, signal = "SIGTERM" }: { graceMs?: number; signal?: NodeJS.Signals } = {},
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  // Not unref'd: the caller is waiting for this exit, so the timer must be able to fire.
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
