/**
 * The process around every framework's login example: reads the
 * environment, builds the session manager (Redis, or the memory store),
 * listens, tells the demo launcher it is ready, and stops cleanly. The five
 * servers differ only in how their framework becomes a `node:http` server.
 *
 * Environment: REDIS_URL (default redis://127.0.0.1:6379), PORT (default 3000;
 * 0 picks a free one), SESSION_STORE ("redis" by default, or "memory" for a
 * single process without Redis), SESSION_SECRET (optional, 32+ bytes),
 * INSTANCE_NAME (default the host name; the pid is always shown next to it),
 * TRUST_PROXY (e.g. "loopback" behind a local load balancer). Every instance
 * serves its session metrics on `/metrics` (Prometheus text, examples/shared/metrics.ts).
 *
 * Started by the demo launcher (`npm run demo`), a server reports its port
 * over the IPC channel once listening and exits when the launcher goes away.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { Redis } from "ioredis";
import { createSessionManager, type SessionData, type SessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { redisStore } from "tessera-session/redis";
import { DEMO_TRANSPORTS, SERVED_BY_HEADER } from "./api.js";
import { REMEMBER_ME_LIMITS } from "./login-app.js";
import { MEMORY_STORE_BANNER, type InstanceReady } from "./instance-protocol.js";
import { demoMetrics, type DemoMetrics } from "./metrics.js";
import "./session-data.js";

/** What a framework's server gets to build its app. */
export interface DemoAppOptions {
  sessions: SessionManager<SessionData>;
  /** "host · pid 1234", shown as "Served by". */
  instance: string;
  /** The memory-store warning, when there is no Redis. */
  banner: string | undefined;
  /** TRUST_PROXY as given (Express takes it as is; a boolean framework treats any value as on). */
  trustProxy: string | undefined;
  /** This instance's metrics, which its manager records into: the app serves them on `/metrics`. */
  metrics: DemoMetrics;
}

/** How long a graceful stop may take before open connections are cut. */
const SHUTDOWN_GRACE_MS = 3000;

/** "host · pid 1234": INSTANCE_NAME (default the host name) and this process's pid. */
export function demoInstanceName(): string {
  return `${process.env.INSTANCE_NAME ?? hostname()} · pid ${process.pid}`;
}

/** The session side of a demo instance, from the environment. */
export interface DemoSessions extends DemoAppOptions {
  /** Disconnects the Redis client, if any. */
  close(): void;
  /** Resolves once the Redis client is connected (at once for the memory store); never rejects. */
  connected: Promise<void>;
}

/**
 * The session manager (Redis, or the memory store) and the instance's
 * name, from the environment; for servers that make their app inside a
 * framework's build (Next.js, Nuxt, React Router), which call it there.
 * The manager records into `metrics` (by default a meter of its own).
 *
 * @example
 * ```ts
 * const { sessions, instance } = demoSessions();
 * ```
 */
export function demoSessions(metrics: DemoMetrics = demoMetrics()): DemoSessions {
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const useMemory = process.env.SESSION_STORE === "memory";
  const instance = demoInstanceName();

  let client: Redis | undefined;
  let sessions: SessionManager<SessionData>;
  const options = {
    telemetry: metrics.telemetry,
    secrets: process.env.SESSION_SECRET ? [process.env.SESSION_SECRET] : undefined,
    idleTimeoutSeconds: 30 * 60,
    absoluteTimeoutSeconds: 7 * 24 * 3600,
    ...REMEMBER_ME_LIMITS, // "Keep me signed in" may give one session 30 days of inactivity
    transport: DEMO_TRANSPORTS, // browsers on the cookie, the /api routes' clients on Bearer tokens
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
  return {
    sessions,
    instance,
    banner: useMemory ? MEMORY_STORE_BANNER : undefined,
    trustProxy: process.env.TRUST_PROXY,
    metrics,
    close: () => client?.disconnect(),
    connected: client === undefined ? Promise.resolve() : new Promise<void>((resolve) => client!.once("ready", () => resolve())),
  };
}

/**
 * Runs one instance of a login example.
 *
 * @example
 * ```ts
 * await runDemoServer(({ trustProxy, ...options }) =>
 *   createServer(createLoginHandler({ ...options, trustProxy: trustProxy !== undefined })));
 * ```
 */
export async function runDemoServer(build: (options: DemoAppOptions) => Server | Promise<Server>): Promise<void> {
  const { close, connected: _connected, ...options } = demoSessions();
  listenDemoServer(await build(options), options.instance, close);
}

/**
 * Listens on PORT (0 picks a free one) on 127.0.0.1, tells the demo
 * launcher it is ready, and stops cleanly on a signal or when the launcher
 * goes away.
 *
 * @example
 * ```ts
 * listenDemoServer(createServer(handler), instance, () => client.disconnect());
 * ```
 */
export function listenDemoServer(server: Server, instance: string, close: () => void): void {
  const port = Number(process.env.PORT ?? 3000);
  const store = process.env.SESSION_STORE === "memory" ? "memory store" : `sessions in ${process.env.REDIS_URL ?? "redis://127.0.0.1:6379"}`;
  // Every response names its instance, pages and redirects alike, as the Flask instance's do.
  server.prependListener("request", (_request, response) => response.setHeader(SERVED_BY_HEADER, instance));
  server.listen(port, "127.0.0.1", () => {
    const { port: boundPort } = server.address() as AddressInfo;
    console.log(`login example ${instance} on http://127.0.0.1:${boundPort} (${store})`);
    const ready: InstanceReady = { type: "ready", port: boundPort, pid: process.pid, instance };
    process.send?.(ready);
  });

  let stopping = false;
  function shutdown(): void {
    if (stopping) return;
    stopping = true;
    server.close(() => {
      close();
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
}
