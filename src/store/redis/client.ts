import { assertReplicated, type WaitForReplicas } from "./durability.js";
import type { LuaScript } from "./scripts.js";

/**
 * The few Redis operations the store needs, over either client. Keeps the
 * store free of client-specific calls.
 */
export interface RedisPort {
  /** True for a Cluster client: multi-key scripts must stay within one slot. */
  readonly isCluster: boolean;
  /**
   * True when the client itself sends the commands of one event-loop turn
   * in one write (node-redis always; ioredis with `enableAutoPipelining`),
   * so batching them again in the store would only add a hop.
   */
  readonly batchesByItself: boolean;
  /** EVALSHA, falling back to EVAL when the node has not seen the script. For reads. */
  run(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  /**
   * Like {@link RedisPort.run}, for scripts whose changes are acknowledged
   * to a client: with `waitForReplicas`, also waits (WAIT, same connection)
   * until enough replicas hold them.
   */
  write(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  /** DEL of one key (waiting for replicas like `write`); resolves to the number of keys deleted. */
  del(key: string): Promise<number>;
  /** HGETALL of one hash: its fields, empty when the key does not exist. */
  hgetall(key: string): Promise<Record<string, string>>;
  /** HGETALL of several hashes in one write (a pipeline, not a transaction): one reply per key, in order. */
  hgetallMany(keys: readonly string[]): Promise<Array<Record<string, string>>>;
}

/**
 * Options of {@link redisPort}.
 *
 * @example
 * ```ts
 * redisPort(client, { waitForReplicas: { replicas: 1, timeoutMs: 500 } });
 * ```
 */
export interface RedisPortOptions {
  /** Durability: wait for this many replicas after each write. */
  readonly waitForReplicas?: WaitForReplicas;
}

type IoReply = Array<[error: Error | null, result: unknown]> | null;

/** An ioredis `Redis` (standalone or Sentinel-configured) or `Cluster` (structural: ioredis stays an optional peer). */
interface IoRedisLike {
  evalsha(sha: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(source: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
  hgetall(key: string): Promise<Record<string, string>>;
  /** A Cluster routes a pipeline to the node of its keys, so a trailing WAIT reaches the node that wrote. */
  pipeline(commands: Array<Array<string | number>>): { exec(): Promise<IoReply> };
  on?(event: "error", listener: (error: unknown) => void): unknown;
  isCluster?: boolean;
  options?: { enableAutoPipelining?: boolean };
}

type ScriptOptions = { keys: string[]; arguments: string[] };

/** A node-redis pipeline builder (`client.multi()`), executed with `execAsPipeline()`. */
interface NodeRedisMultiLike {
  evalSha(sha: string, options: ScriptOptions): NodeRedisMultiLike;
  eval(source: string, options: ScriptOptions): NodeRedisMultiLike;
  del(key: string): NodeRedisMultiLike;
  wait(replicas: number, timeoutMs: number): NodeRedisMultiLike;
  execAsPipeline(): Promise<unknown[]>;
}

/** A node-redis client, cluster or sentinel (structural: `redis` stays an optional peer). */
interface NodeRedisLike {
  evalSha(sha: string, options: ScriptOptions): Promise<unknown>;
  eval(source: string, options: ScriptOptions): Promise<unknown>;
  del(key: string): Promise<number>;
  hGetAll(key: string): Promise<Record<string, string>>;
  /**
   * A cluster routes a pipeline by its first key and a sentinel client runs
   * it on one master connection, so a trailing WAIT covers the write.
   */
  multi(): NodeRedisMultiLike;
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

/**
 * node-redis cluster clients (`createCluster`) have `masters` and `slots`
 * getters on their prototype; standalone (`createClient`) and Sentinel
 * (`createSentinel`) clients have neither. Checked against node-redis 6.3
 * in test/redis-cluster.test.ts and test/redis-sentinel.test.ts.
 */
function isNodeRedisCluster(client: object): boolean {
  return "masters" in client && "slots" in client;
}

/** Runs the script with EVALSHA, then once more with EVAL if the node answers NOSCRIPT. */
async function withScriptFallback<T>(attempt: (useSource: boolean) => Promise<T>): Promise<T> {
  try {
    return await attempt(false);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return await attempt(true);
  }
}

/**
 * Cluster replies that guarantee the command was not executed: the slot
 * moved (failover) or the cluster is briefly down. Clients retry these for
 * single commands but not inside a pipeline whose WAIT succeeded, so the
 * WAIT pipelines retry them here.
 */
function isNotExecuted(error: unknown): boolean {
  return error instanceof Error && /^(MOVED|CLUSTERDOWN|TRYAGAIN) /.test(error.message);
}

/** Longer than a Cluster failover (2–3 s with cluster-node-timeout 1000); the manager's storeTimeoutMs still bounds the request. */
const NOT_EXECUTED_RETRIES = 30;
const NOT_EXECUTED_DELAY_MS = 100;

async function retryNotExecuted<T>(attempt: () => Promise<T>): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isNotExecuted(error) || retry >= NOT_EXECUTED_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, NOT_EXECUTED_DELAY_MS));
    }
  }
}

/** The results of an ioredis pipeline, throwing the first command error. */
function ioResults(reply: IoReply): unknown[] {
  if (reply === null) throw new Error("Redis pipeline was discarded");
  return reply.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}

function ioRedisPort(client: IoRedisLike, wait: WaitForReplicas | undefined): RedisPort {
  const run = (script: LuaScript, keys: readonly string[], args: readonly string[]) =>
    withScriptFallback((useSource) =>
      useSource
        ? client.eval(script.source, keys.length, ...keys, ...args)
        : client.evalsha(script.sha, keys.length, ...keys, ...args),
    );
  /** One command and a WAIT in one pipeline: same connection, same node. */
  const waited = async (operation: string, command: Array<string | number>): Promise<unknown> => {
    const [result, acknowledged] = await retryNotExecuted(async () =>
      ioResults(await client.pipeline([command, ["wait", wait!.replicas, wait!.timeoutMs]]).exec()),
    );
    assertReplicated(operation, acknowledged, wait!);
    return result;
  };
  return {
    isCluster: client.isCluster === true,
    batchesByItself: client.options?.enableAutoPipelining === true,
    run,
    write: (script, keys, args) =>
      wait === undefined
        ? run(script, keys, args)
        : withScriptFallback((useSource) =>
            waited("commit", [useSource ? "eval" : "evalsha", useSource ? script.source : script.sha, keys.length, ...keys, ...args]),
          ),
    del: async (key) => (wait === undefined ? client.del(key) : Number(await waited("destroy", ["del", key]))),
    hgetall: (key) => client.hgetall(key),
    hgetallMany: async (keys) =>
      ioResults(await client.pipeline(keys.map((key) => ["hgetall", key])).exec()) as Array<Record<string, string>>,
  };
}

function nodeRedisPort(client: NodeRedisLike, wait: WaitForReplicas | undefined): RedisPort {
  const run = (script: LuaScript, keys: readonly string[], args: readonly string[]) => {
    const options = { keys: [...keys], arguments: [...args] };
    return withScriptFallback((useSource) =>
      useSource ? client.eval(script.source, options) : client.evalSha(script.sha, options),
    );
  };
  /** One command and a WAIT as a pipeline (not a transaction: WAIT does not block inside MULTI). */
  const waited = async (operation: string, build: (multi: NodeRedisMultiLike) => NodeRedisMultiLike): Promise<unknown> => {
    const [result, acknowledged] = await retryNotExecuted(() => build(client.multi()).wait(wait!.replicas, wait!.timeoutMs).execAsPipeline());
    assertReplicated(operation, acknowledged, wait!);
    return result;
  };
  return {
    isCluster: isNodeRedisCluster(client),
    // node-redis writes the commands of one turn together (its own setImmediate).
    batchesByItself: true,
    run,
    write: (script, keys, args) => {
      if (wait === undefined) return run(script, keys, args);
      const options = { keys: [...keys], arguments: [...args] };
      return withScriptFallback((useSource) =>
        waited("commit", (multi) => (useSource ? multi.eval(script.source, options) : multi.evalSha(script.sha, options))),
      );
    },
    del: async (key) => (wait === undefined ? client.del(key) : Number(await waited("destroy", (multi) => multi.del(key)))),
    hgetall: (key) => client.hGetAll(key),
    hgetallMany: (keys) => Promise.all(keys.map((key) => client.hGetAll(key))),
  };
}

/**
 * Wraps a user's client in a {@link RedisPort}. Accepts, as they are:
 * ioredis `new Redis(...)` (standalone or with `sentinels`), ioredis
 * `new Redis.Cluster(...)`, and node-redis `createClient`, `createCluster`
 * and `createSentinel` clients.
 *
 * @throws TypeError when the client is neither ioredis nor node-redis.
 *
 * @example
 * ```ts
 * const port = redisPort(new Redis.Cluster([{ host: "127.0.0.1", port: 7000 }]));
 * port.isCluster; // true: regenerate runs in two single-slot steps
 * ```
 */
export function redisPort(client: RedisClient, options: RedisPortOptions = {}): RedisPort {
  if (client === null || typeof client !== "object") {
    throw new TypeError("redisStore: client must be an ioredis or node-redis client");
  }
  // An 'error' event without a listener crashes a node-redis process and
  // makes ioredis log noise. Store failures reach requests as
  // SessionStoreError instead, so a Redis outage never takes the app down.
  (client as { on?: (event: string, listener: () => void) => unknown }).on?.("error", () => undefined);

  if (isIoRedis(client)) return ioRedisPort(client, options.waitForReplicas);
  if (isNodeRedis(client)) return nodeRedisPort(client, options.waitForReplicas);
  throw new TypeError(
    "redisStore: client must be an ioredis client (new Redis(), new Redis.Cluster()) or a node-redis client (createClient(), createCluster(), createSentinel())",
  );
}
