import { Redis } from "ioredis";
import { createClient } from "redis";
import type { SessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import type { AdapterConformanceOptions, ConformanceData, ServedApp } from "tessera-session/testing";
import { startRedisServer, type RedisServer } from "./redis-server.js";

/** Which Redis client the store under test uses. */
export type ClientKind = "ioredis" | "node-redis";

/**
 * Options for `adapterConformance` backed by a redis-server of its own (one
 * per suite, so the outage tests stop only their own) and the chosen client.
 */
export function withRedis(
  framework: string,
  client: ClientKind,
  serve: (manager: SessionManager<ConformanceData>) => Promise<ServedApp>,
): AdapterConformanceOptions {
  let server: RedisServer | undefined;
  let close: () => Promise<unknown> = async () => undefined;
  return {
    name: `${framework} over ${client}`,
    async setup() {
      server = await startRedisServer();
      const prefix = `adapter-${framework}-${client}:`;
      if (client === "ioredis") {
        const io = new Redis(server.url);
        close = async () => io.disconnect();
        return { store: redisStore({ client: io, prefix }), redis: server };
      }
      const nodeRedis = createClient({ url: server.url });
      await nodeRedis.connect();
      close = async () => nodeRedis.destroy();
      return { store: redisStore({ client: nodeRedis, prefix }), redis: server };
    },
    serve,
    async teardown() {
      await close();
      await server?.close();
    },
  };
}
