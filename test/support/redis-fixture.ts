/**
 * The most common test setup: a private redis-server and one ioredis client
 * to it, shared by the tests of a file (or of a describe).
 */
import { after, before } from "node:test";
import { Redis } from "ioredis";
import { startRedisServer, type RedisServer } from "./redis-server.js";

/** The server and client of {@link redisWithClient}, available once its before hook ran. */
export interface RedisWithClient {
  readonly redis: RedisServer;
  readonly client: Redis;
}

/**
 * Registers a before hook that starts the server and connects the client,
 * and an after hook that disconnects and stops them.
 *
 * @example
 * ```ts
 * const db = redisWithClient();
 * it("stores", async () => assert.equal(await db.client.dbsize(), 0));
 * ```
 */
export function redisWithClient(): RedisWithClient {
  let redis: RedisServer | undefined;
  let client: Redis | undefined;
  before(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url);
  });
  after(async () => {
    client?.disconnect();
    await redis?.close();
  });
  return {
    get redis() {
      return redis!;
    },
    get client() {
      return client!;
    },
  };
}
