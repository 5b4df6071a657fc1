/**
 * Redis session store: `redisStore({ client })` over ioredis or node-redis.
 *
 * @module
 */
export { redisStore } from "./store.js";
export type { RedisStoreOptions, RedisSessionStore } from "./store.js";
export type { RedisClient } from "./client.js";
export type { WaitForReplicas } from "./durability.js";
