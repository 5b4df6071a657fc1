/**
 * The few Redis commands a migration sends to the old library's Redis,
 * over ioredis or node-redis (standalone, Sentinel or Cluster): every
 * command touches one key, so Cluster needs nothing special.
 */

/** What a migration needs of the old library's Redis. */
export interface LegacyRedis {
  /** The key's string value (or null) and its remaining TTL in ms (-1: none, -2: no key), in one round trip. */
  readWithTtl(key: string): Promise<{ value: string | null; pttlMs: number }>;
  /** Whether the key exists. */
  exists(key: string): Promise<boolean>;
  /** DEL of one key. */
  del(key: string): Promise<void>;
  /** Cuts the key's remaining TTL to `ttlMs` if it is longer or has none; never lengthens it. */
  shortenTtl(key: string, ttlMs: number): Promise<void>;
  /** Sets an existing key's TTL to `ttlMs`, or removes its TTL when undefined. */
  restoreTtl(key: string, ttlMs: number | undefined): Promise<void>;
  /** SET key value PX ttlMs. */
  setWithTtl(key: string, value: string, ttlMs: number): Promise<void>;
}

/** An ioredis client (structural: ioredis stays an optional peer). */
interface IoRedisLike {
  eval(source: string, numKeys: number, ...keysAndArgs: Array<string | number>): Promise<unknown>;
  hgetall(key: string): Promise<unknown>;
}

/** A node-redis client (structural). */
interface NodeRedisLike {
  eval(source: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  hGetAll(key: string): Promise<unknown>;
}

/** An ioredis or node-redis client, standalone, Sentinel or Cluster. */
export type LegacyRedisClient = IoRedisLike | NodeRedisLike | object;

// GET and PTTL in one script: one round trip, one key, atomic (the TTL is that of the value read).
const READ_WITH_TTL = "return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}";
const EXISTS = "return redis.call('EXISTS', KEYS[1])";
const DEL = "return redis.call('DEL', KEYS[1])";
const SHORTEN_TTL =
  "local ttl = redis.call('PTTL', KEYS[1]) if ttl == -1 or ttl > tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return ttl";
const RESTORE_TTL = "if ARGV[1] == 'none' then return redis.call('PERSIST', KEYS[1]) end return redis.call('PEXPIRE', KEYS[1], ARGV[1])";
const SET_PX = "return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])";

/**
 * Wraps the old library's client (or any client on the same Redis).
 *
 * @throws TypeError when `client` is neither an ioredis nor a node-redis client.
 *
 * @example
 * ```ts
 * const redis = legacyRedis(new Redis(process.env.REDIS_URL));
 * await redis.readWithTtl("sess:abc");
 * ```
 */
export function legacyRedis(client: LegacyRedisClient): LegacyRedis {
  const c = client as Partial<IoRedisLike & NodeRedisLike>;
  let run: (script: string, key: string, args: string[]) => Promise<unknown>;
  if (typeof c.hGetAll === "function" && typeof c.eval === "function") {
    const node = client as NodeRedisLike;
    run = (script, key, args) => node.eval(script, { keys: [key], arguments: args });
  } else if (typeof c.hgetall === "function" && typeof c.eval === "function") {
    const io = client as IoRedisLike;
    run = (script, key, args) => io.eval(script, 1, key, ...args);
  } else {
    throw new TypeError("client must be an ioredis or node-redis client (the old session library's, or any on the same Redis).");
  }
  return {
    async readWithTtl(key) {
      const reply = (await run(READ_WITH_TTL, key, [])) as [unknown, unknown];
      const value = reply[0];
      return { value: typeof value === "string" ? value : Buffer.isBuffer(value) ? value.toString("utf8") : null, pttlMs: Number(reply[1]) };
    },
    async exists(key) {
      return Number(await run(EXISTS, key, [])) > 0;
    },
    async del(key) {
      await run(DEL, key, []);
    },
    async shortenTtl(key, ttlMs) {
      await run(SHORTEN_TTL, key, [String(Math.max(1, Math.ceil(ttlMs)))]);
    },
    async restoreTtl(key, ttlMs) {
      await run(RESTORE_TTL, key, [ttlMs === undefined ? "none" : String(Math.max(1, Math.ceil(ttlMs)))]);
    },
    async setWithTtl(key, value, ttlMs) {
      await run(SET_PX, key, [value, String(Math.max(1, Math.ceil(ttlMs)))]);
    },
  };
}
