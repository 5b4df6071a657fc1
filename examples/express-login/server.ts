/**
 * Runs one instance of the Express login example.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/express-login/server.ts
 *
 * Environment: REDIS_URL (default redis://127.0.0.1:6379), PORT (default 3000;
 * 0 picks a free one), SESSION_STORE ("redis" by default, or "memory" for a
 * single process without Redis), SESSION_SECRET (optional, 32+ bytes),
 * INSTANCE_NAME (default the host name; the pid is always shown next to it),
 * TRUST_PROXY (e.g. "loopback" behind a local load balancer).
 *
 * Started by the demo launcher (`npm run demo`), it reports its port over
 * the IPC channel once listening and exits when the launcher goes away.
 */
import { hostname } from "node:os";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { createSessionManager, type SessionData, type SessionManager } from "tessera";
import { redisStore } from "tessera/redis";
import { memoryStore } from "tessera/memory";
import { createLoginApp } from "./app.js";
import { MEMORY_STORE_BANNER, type InstanceReady } from "../shared/instance-protocol.js";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const port = Number(process.env.PORT ?? 3000);
const useMemory = process.env.SESSION_STORE === "memory";
const instance = `${process.env.INSTANCE_NAME ?? hostname()} · pid ${process.pid}`;
/** How long a graceful stop may take before open connections are cut. */
const SHUTDOWN_GRACE_MS = 3000;

let client: Redis | undefined;
let sessions: SessionManager<SessionData>;
const options = {
  secrets: process.env.SESSION_SECRET ? [process.env.SESSION_SECRET] : undefined,
  idleTimeoutSeconds: 30 * 60,
  absoluteTimeoutSeconds: 7 * 24 * 3600,
};
if (useMemory) {
  sessions = createSessionManager<SessionData>({ store: memoryStore(), ...options });
} else {
  // Fail fast while Redis is away instead of queueing commands without bound;
  // Tessera turns the failure into a 503 for that request.
  client = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  let lastError = "";
  client.on("error", (error: Error) => {
    // ioredis retries on its own; say so once per distinct error, not per retry.
    if (error.message !== lastError) console.error(`${instance}: redis: ${error.message}`);
    lastError = error.message;
  });
  client.on("ready", () => (lastError = ""));
  sessions = createSessionManager<SessionData>({ store: redisStore({ client, prefix: "tessera-demo:" }), ...options });
}

const app = createLoginApp({
  sessions,
  instance,
  trustProxy: process.env.TRUST_PROXY,
  banner: useMemory ? MEMORY_STORE_BANNER : undefined,
});
const server = app.listen(port, "127.0.0.1", () => {
  const { port: boundPort } = server.address() as AddressInfo;
  const store = useMemory ? "memory store" : `sessions in ${redisUrl}`;
  console.log(`login example ${instance} on http://127.0.0.1:${boundPort} (${store})`);
  const ready: InstanceReady = { type: "ready", port: boundPort, pid: process.pid, instance };
  process.send?.(ready);
});

let stopping = false;
function shutdown(): void {
  if (stopping) return;
  stopping = true;
  server.close(() => {
    client?.disconnect();
    process.exit(0);
  });
  server.closeIdleConnections();
  // A browser may hold a kept-alive connection open; don't wait for it forever.
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, SHUTDOWN_GRACE_MS).unref();
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
// The launcher holds the other end of the IPC channel: if it dies, even by
// SIGKILL, the channel closes and this instance must not be left behind.
process.once("disconnect", shutdown);
