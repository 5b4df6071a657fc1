import type { Server } from "node:http";
import { after, before } from "node:test";
import { Redis } from "ioredis";
import { createClient } from "redis";
import type { RedisClient } from "tessera-session/redis";
import { close } from "./http.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

/** What {@link redisFileRig} gives a test file. */
export interface RedisFileRig {
  /** The file's redis-server (started before its first test). */
  readonly redis: RedisServer;
  /** HTTP servers the file started: closed after its last test. */
  readonly servers: Server[];
  /** A new connected client on that server, by library; each is closed after the file's last test. */
  readonly clients: Readonly<Record<"ioredis" | "node-redis", () => Promise<RedisClient>>>;
}

/**
 * One real redis-server for a test file, with both clients on it: registers
 * the file's `before` (start it) and `after` (close the servers, the
 * clients, then Redis).
 *
 * @example
 * ```ts
 * const rig = redisFileRig();
 * for (const [label, connect] of Object.entries(rig.clients)) it(label, async () => void (await connect()));
 * ```
 */
export function redisFileRig(): RedisFileRig {
  let redis: RedisServer | undefined;
  const servers: Server[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    for (const server of servers) await close(server);
    for (const closeClient of closers) await closeClient();
    await redis?.close();
  });
  const url = (): string => redis!.url;
  return {
    get redis() {
      return redis!;
    },
    servers,
    clients: {
      ioredis: async () => {
        const client = new Redis(url());
        closers.push(() => client.quit());
        return client;
      },
      "node-redis": async () => {
        const client = createClient({ url: url() });
        await client.connect();
        closers.push(() => client.quit());
        return client;
      },
    },
  };
}
