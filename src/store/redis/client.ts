import type { LuaScript } from "./scripts.js";

/**
 * The few Redis operations the store needs, over either client. Keeps the
 * store free of client-specific calls.
 */
export interface RedisPort {
  /** True for a Cluster client: multi-key scripts must stay within one slot. */
  readonly isCluster: boolean;
  /** EVALSHA, falling back to EVAL when the node has not seen the script. */
  run(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  /** DEL of one key; resolves to the number of keys deleted. */
  del(key: string): Promise<number>;
}

/** An ioredis `Redis` or `Cluster` (structural: ioredis stays an optional peer). */
interface IoRedisLike {
  evalsha(sha: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(source: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
  on?(event: "error", listener: (error: unknown) => void): unknown;
  isCluster?: boolean;
}

/** A node-redis client, cluster or sentinel (structural: `redis` stays an optional peer). */
interface NodeRedisLike {
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(source: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  del(key: string): Promise<number>;
  on?(event: "error", listener: (error: unknown) => void): unknown;
}

/** A Redis client Tessera accepts: ioredis or node-redis, standalone, Cluster or Sentinel. */
export type RedisClient = IoRedisLike | NodeRedisLike | object;

/**
 * Redis and Valkey word the message differently after the code; the code
 * prefix is what is stable.
 */
function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

function isIoRedis(client: object): client is IoRedisLike {
  return typeof (client as IoRedisLike).evalsha === "function";
}

function isNodeRedis(client: object): client is NodeRedisLike {
  return typeof (client as NodeRedisLike).evalSha === "function";
}

/** node-redis cluster clients expose their masters; standalone clients do not. */
function isNodeRedisCluster(client: object): boolean {
  return "masters" in client && "slots" in client;
}

/**
 * Wraps a user's client in a {@link RedisPort}.
 *
 * @throws TypeError when the client is neither ioredis nor node-redis.
 */
export function redisPort(client: RedisClient): RedisPort {
  if (client === null || typeof client !== "object") {
    throw new TypeError("redisStore: client must be an ioredis or node-redis client");
  }
  // An 'error' event without a listener crashes a node-redis process and
  // makes ioredis log noise. Store failures reach requests as
  // SessionStoreError instead, so a Redis outage never takes the app down.
  (client as { on?: (event: string, listener: () => void) => unknown }).on?.("error", () => undefined);

  if (isIoRedis(client)) {
    return {
      isCluster: client.isCluster === true,
      async run(script, keys, args) {
        try {
          return await client.evalsha(script.sha, keys.length, ...keys, ...args);
        } catch (error) {
          if (!isNoScript(error)) throw error;
          return await client.eval(script.source, keys.length, ...keys, ...args);
        }
      },
      del: (key) => client.del(key),
    };
  }
  if (isNodeRedis(client)) {
    return {
      isCluster: isNodeRedisCluster(client),
      async run(script, keys, args) {
        const options = { keys: [...keys], arguments: [...args] };
        try {
          return await client.evalSha(script.sha, options);
        } catch (error) {
          if (!isNoScript(error)) throw error;
          return await client.eval(script.source, options);
        }
      },
      del: (key) => client.del(key),
    };
  }
  throw new TypeError(
    "redisStore: client must be an ioredis client (new Redis(), new Redis.Cluster()) or a node-redis client (createClient(), createCluster(), createSentinel())",
  );
}
