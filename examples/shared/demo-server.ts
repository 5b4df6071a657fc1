/**
 * What every framework's login example server reads from the environment,
 * and the Redis-backed session manager they share, so the five servers
 * differ only in their framework.
 *
 * Environment: REDIS_URL (default redis://127.0.0.1:6379), PORT (default 3000),
 * SESSION_SECRET (optional, 32+ bytes), INSTANCE_NAME (default host:pid),
 * TRUST_PROXY=1 behind a local load balancer (Express takes its own "trust
 * proxy" values there, e.g. "loopback").
 */
import { hostname } from "node:os";
import { Redis } from "ioredis";
import { createSessionManager, type SessionData, type SessionManager } from "tessera";
import { redisStore } from "tessera/redis";
import "./session-data.js";

/** The demo's settings and its session manager. */
export interface DemoServer {
  sessions: SessionManager<SessionData>;
  instance: string;
  port: number;
  redisUrl: string;
  trustProxy: boolean;
  /** Closes the Redis client. */
  shutdown(): void;
}

/**
 * Reads the environment and connects to Redis.
 *
 * @example
 * ```ts
 * const demo = demoServer();
 * const app = createLoginApp(demo);
 * ```
 */
export function demoServer(): DemoServer {
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  // Fail fast while Redis is away instead of queueing commands without bound;
  // Tessera turns the failure into a 503 for that request.
  const client = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const sessions = createSessionManager({
    store: redisStore({ client, prefix: "tessera-demo:" }),
    secrets: process.env.SESSION_SECRET ? [process.env.SESSION_SECRET] : undefined,
    idleTimeoutSeconds: 30 * 60,
    absoluteTimeoutSeconds: 7 * 24 * 3600,
  });
  return {
    sessions,
    instance: process.env.INSTANCE_NAME ?? `${hostname()}:${process.pid}`,
    port: Number(process.env.PORT ?? 3000),
    redisUrl,
    trustProxy: process.env.TRUST_PROXY === "1" || process.env.TRUST_PROXY === "true",
    shutdown: () => client.disconnect(),
  };
}
