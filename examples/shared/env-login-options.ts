/**
 * The session manager and page options of the examples whose framework
 * owns the server process (Nuxt, React Router: their production build
 * creates the manager itself), built once per process from the same
 * environment as every other example (see examples/shared/demo-server.ts):
 * REDIS_URL, SESSION_STORE=memory, SESSION_SECRET, INSTANCE_NAME, TRUST_PROXY.
 */
import { hostname } from "node:os";
import { Redis } from "ioredis";
import { createSessionManager, type SessionData, type SessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { redisStore } from "tessera-session/redis";
import { DEMO_TRANSPORTS } from "./api.js";
import { MEMORY_STORE_BANNER } from "./instance-protocol.js";
import { REMEMBER_ME_LIMITS, type LoginAppOptions } from "./login-app.js";
import "./session-data.js";

function createSessions(useMemory: boolean, instance: string): SessionManager<SessionData> {
  const options = {
    secrets: process.env.SESSION_SECRET ? [process.env.SESSION_SECRET] : undefined,
    idleTimeoutSeconds: 30 * 60,
    absoluteTimeoutSeconds: 7 * 24 * 3600,
    ...REMEMBER_ME_LIMITS, // "Keep me signed in" may give one session 30 days of inactivity
    transport: DEMO_TRANSPORTS, // browsers on the cookie, the /api routes' clients on Bearer tokens
  };
  if (useMemory) return createSessionManager<SessionData>({ store: memoryStore(), ...options });
  // Fail fast while Redis is away instead of queueing commands without bound.
  const client = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  let lastError = "";
  client.on("error", (error: Error) => {
    if (error.message !== lastError) console.error(`${instance}: redis: ${error.message}`);
    lastError = error.message;
  });
  client.on("ready", () => (lastError = ""));
  return createSessionManager<SessionData>({ store: redisStore({ client, prefix: "tessera-demo:" }), ...options });
}

const useMemory = process.env.SESSION_STORE === "memory";
const instance = `${process.env.INSTANCE_NAME ?? hostname()} · pid ${process.pid}`;

/** What every route of the example renders its pages with. */
export const loginOptions: LoginAppOptions = {
  sessions: createSessions(useMemory, instance),
  instance,
  // Set by the example's server.ts (the build itself is shared by both apps' code paths).
  framework: process.env.EXAMPLE_FRAMEWORK,
  banner: useMemory ? MEMORY_STORE_BANNER : undefined,
  trustProxy: process.env.TRUST_PROXY !== undefined,
};

/** TRUST_PROXY as given ("loopback" behind the demo balancer), for an adapter's `trustProxy`. */
export const trustProxy = process.env.TRUST_PROXY ?? false;
