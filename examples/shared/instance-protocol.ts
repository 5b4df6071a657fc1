/**
 * What an example server tells the demo launcher, shared by every
 * framework's version of the login example so one launcher runs them all.
 */

/**
 * Sent over the IPC channel (`process.send`) once the instance listens.
 *
 * @example
 * ```ts
 * server.listen(0, "127.0.0.1", () => {
 *   const ready: InstanceReady = { type: "ready", port: server.address().port, pid: process.pid, instance };
 *   process.send?.(ready);
 * });
 * ```
 */
export interface InstanceReady {
  type: "ready";
  /** The port it listens on, on 127.0.0.1. */
  port: number;
  pid: number;
  /** The name shown as "Served by" on its pages. */
  instance: string;
}

/**
 * The banner every page shows when the demo runs on the memory store: say
 * plainly that nothing is shared, so nobody mistakes it for the real thing.
 *
 * @example
 * ```ts
 * createLoginApp({ sessions, instance, banner: MEMORY_STORE_BANNER });
 * ```
 */
export const MEMORY_STORE_BANNER =
  "Memory store, no Redis: this demo runs ONE instance and keeps sessions in its memory. " +
  "They are not shared and vanish on restart. Start Redis (or set REDIS_URL) to see the fleet.";

/**
 * Type guard for messages arriving from an instance.
 *
 * @example
 * ```ts
 * child.on("message", (message) => { if (isInstanceReady(message)) console.log(message.port); });
 * ```
 */
export function isInstanceReady(message: unknown): message is InstanceReady {
  const m = message as Partial<InstanceReady> | null;
  return typeof m === "object" && m !== null && m.type === "ready" && typeof m.port === "number" && typeof m.pid === "number";
}
