/**
 * Runs one instance of the Express login example.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/express-login/server.ts
 *
 * Environment: REDIS_URL (default redis://127.0.0.1:6379), PORT (default 3000),
 * SESSION_SECRET (optional, 32+ bytes), INSTANCE_NAME (default host:pid),
 * TRUST_PROXY (e.g. "loopback" behind a local load balancer).
 */
import { hostname } from "node:os";
import { Redis } from "ioredis";
import { createSessionManager } from "tessera";
import { redisStore } from "tessera/redis";
import { createLoginApp } from "./app.js";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const port = Number(process.env.PORT ?? 3000);
const instance = process.env.INSTANCE_NAME ?? `${hostname()}:${process.pid}`;

// Fail fast while Redis is away instead of queueing commands without bound;
// Tessera turns the failure into a 503 for that request.
const client = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
const sessions = createSessionManager({
  store: redisStore({ client, prefix: "tessera-demo:" }),
  secrets: process.env.SESSION_SECRET ? [process.env.SESSION_SECRET] : undefined,
  idleTimeoutSeconds: 30 * 60,
  absoluteTimeoutSeconds: 7 * 24 * 3600,
});

const app = createLoginApp({ sessions, instance, trustProxy: process.env.TRUST_PROXY });
const server = app.listen(port, "127.0.0.1", () => {
  console.log(`login example ${instance} on http://127.0.0.1:${port} (sessions in ${redisUrl})`);
});

function shutdown(): void {
  server.close();
  client.disconnect();
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
