import { redisStore, type RedisSessionStore } from "../store/redis/store.js";
import { DeadlineExceeded, formatSeconds, withDeadline } from "./deadline.js";
import type { Driver, OpenClient, RawNode } from "./drivers/driver.js";
import { CliError, EXIT } from "./errors.js";
import { parseInfo } from "./info.js";
import { maskUrl, parseRedisUrl, plainConnectionUrl, type RedisAddress } from "./redis-url.js";

export { maskUrl } from "./redis-url.js";

/** The Redis client libraries the CLI can use (both optional peers of the package). */
export const CLIENT_NAMES = ["ioredis", "redis"] as const;
/** One of {@link CLIENT_NAMES}. */
export type ClientName = (typeof CLIENT_NAMES)[number];

/** What a URL turned out to point at. */
export type Topology = "standalone" | "cluster" | "sentinel";

/** One master, whose every command is bounded by `--timeout`. */
export type CliNode = RawNode;

/** A connection to the Redis the CLI points at, over whichever client is installed. */
export interface CliRedis {
  /** The URL, with any password masked: safe to print. */
  readonly target: string;
  /** The key prefix the app uses. */
  readonly prefix: string;
  /** Standalone, a Cluster (every master is scanned), or a master found through a Sentinel. */
  readonly topology: Topology;
  /** `--timeout` in ms: the longest the CLI waits for any one answer of Redis. */
  readonly timeoutMs: number;
  /**
   * The masters, for SCAN, INFO and per-key scripts: one, or each master of
   * a Cluster. A key SCAN found on a node lives on that node.
   */
  masters(): Promise<readonly CliNode[]>;
  /** The session store over the same connection (for listing and revoking; routed by key on a Cluster). */
  readonly store: RedisSessionStore;
  /** `work` (a call of the store) bounded by `--timeout`, failing as the CLI's own commands do. */
  bounded<T>(work: Promise<T>, what: string): Promise<T>;
  close(): Promise<void>;
}

/** Options of {@link connect}. */
export interface ConnectOptions {
  readonly url: string;
  readonly prefix: string;
  readonly timeoutMs: number;
  /** Which client library to use; default ioredis if installed, else node-redis. */
  readonly client?: ClientName;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}

/** ioredis says "Command timed out", node-redis throws a SocketTimeoutError. */
function isTimeout(error: unknown): boolean {
  return error instanceof DeadlineExceeded || (error instanceof Error && (error.name === "SocketTimeoutError" || /^Command timed out/.test(error.message)));
}

/** Redis refusing the credentials (or their absence): reply codes, and Redis 6's wording for a password it does not expect. */
function isAuthFailure(error: unknown): boolean {
  return error instanceof Error && /^(NOAUTH|WRONGPASS)\b|^ERR (AUTH|invalid password|.*without any password configured)/.test(error.message);
}

/** The CliError (exit 4) for a Redis that did not answer in time. */
export function timedOut(where: string, what: string, timeoutMs: number): CliError {
  return new CliError(EXIT.UNAVAILABLE, `Redis at ${where} did not answer ${what} within ${formatSeconds(timeoutMs)} (--timeout): is it hung or overloaded?`);
}

/**
 * Words a failure to connect: no answer in time, credentials refused
 * (which is not "unreachable": the fix is the URL's password), or
 * unreachable. All exit 4.
 */
function connectFailure(target: string, address: RedisAddress, timeoutMs: number, error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (isTimeout(error)) return timedOut(target, "the connection handshake", timeoutMs);
  if (isAuthFailure(error)) {
    const code = describe(error).split(" ")[0];
    const hint =
      address.password === undefined
        ? "it needs a password: put it in the URL, redis://:PASSWORD@host:port (or USER:PASSWORD@ with ACLs)"
        : "check the username and password in the URL";
    return new CliError(EXIT.UNAVAILABLE, `Redis at ${target} refused the connection (${code}): ${hint}`);
  }
  return new CliError(EXIT.UNAVAILABLE, `cannot reach Redis at ${target}: ${describe(error)}`);
}

async function importOptional(name: string): Promise<unknown> {
  try {
    return await import(name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw error;
  }
}

/** ioredis if installed, else node-redis; or the one `--client` names. */
async function chooseDriver(preference: ClientName | undefined): Promise<Driver> {
  for (const name of preference === undefined ? CLIENT_NAMES : [preference]) {
    if (name === "ioredis") {
      const ioredis = (await importOptional("ioredis")) as typeof import("ioredis") | undefined;
      if (ioredis) return (await import("./drivers/ioredis.js")).ioredisDriver(ioredis);
    } else {
      const redis = (await importOptional("redis")) as typeof import("redis") | undefined;
      if (redis) return (await import("./drivers/node-redis.js")).nodeRedisDriver(redis);
    }
  }
  if (preference !== undefined) throw new CliError(EXIT.FAILED, `--client ${preference}: that package is not installed (npm install ${preference})`);
  throw new CliError(EXIT.FAILED, "the tessera-session CLI needs a Redis client: npm install ioredis (or redis)");
}

/** The names of the masters a Sentinel monitors (SENTINEL MASTERS: flat field lists, or maps under RESP3). */
function sentinelMasterNames(reply: unknown): string[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((entry: unknown) => {
    if (Array.isArray(entry)) {
      const at = entry.findIndex((field, i) => i % 2 === 0 && String(field) === "name");
      return at >= 0 ? [String(entry[at + 1])] : [];
    }
    const name = entry && typeof entry === "object" ? (entry as Record<string, unknown>).name : undefined;
    return name === undefined ? [] : [String(name)];
  });
}

/**
 * Which master of a Sentinel to use: the one the URL's path names
 * (`redis://sentinel:26379/mymaster`), or the only one it monitors.
 */
async function sentinelMasterName(node: CliNode, address: RedisAddress, target: string): Promise<string> {
  const names = sentinelMasterNames(await node.call("SENTINEL", "MASTERS"));
  if (address.path !== "" && !/^\d+$/.test(address.path)) {
    if (!names.includes(address.path)) {
      throw new CliError(EXIT.NOT_FOUND, `the Sentinel at ${target} monitors no master named ${JSON.stringify(address.path)} (it monitors ${names.map((n) => JSON.stringify(n)).join(", ") || "none"})`);
    }
    return address.path;
  }
  if (names.length === 1) return names[0]!;
  throw new CliError(
    EXIT.USAGE,
    `${target} is a Sentinel monitoring ${names.length === 0 ? "no masters" : `several masters (${names.map((n) => JSON.stringify(n)).join(", ")})`}: name one in the URL's path, redis://host:port/<master-name>`,
  );
}

/** A node whose every command is bounded by the deadline, and words a timeout the CLI's way. */
function boundedNode(raw: RawNode, timeoutMs: number): CliNode {
  return {
    address: raw.address,
    async call(command, ...args) {
      try {
        return await withDeadline(raw.call(command, ...args), timeoutMs);
      } catch (error) {
        throw isTimeout(error) ? timedOut(raw.address, command, timeoutMs) : error;
      }
    },
  };
}

/**
 * Connects with ioredis (if installed, else node-redis, or the `--client`
 * named) and finds out what the URL points at: a standalone server, a
 * Cluster node (then it connects to the whole Cluster: every master is
 * scanned, and the store routes each key to its node) or a Sentinel (then
 * it connects to the master the Sentinel names). No retries: every wait is
 * bounded by `timeoutMs`.
 *
 * @throws CliError USAGE for a bad URL; UNAVAILABLE when Redis cannot be
 *   reached, refuses the credentials, or does not answer in time.
 *
 * @example
 * ```ts
 * const redis = await connect({ url: "redis://127.0.0.1:7000", prefix: "myapp:", timeoutMs: 5000 });
 * for (const node of await redis.masters()) console.log(node.address, await node.call("DBSIZE"));
 * await redis.close();
 * ```
 */
export async function connect(options: ConnectOptions): Promise<CliRedis> {
  const target = maskUrl(options.url);
  const address = parseRedisUrl(options.url);
  const { timeoutMs } = options;
  const driver = await chooseDriver(options.client);
  const open = async (how: (driver: Driver) => Promise<OpenClient>): Promise<OpenClient> => {
    try {
      return await how(driver);
    } catch (error) {
      throw connectFailure(target, address, timeoutMs, error);
    }
  };

  let client = await open((d) => d.standalone(plainConnectionUrl(options.url), timeoutMs));
  let topology: Topology = "standalone";
  try {
    const [first] = await client.masters();
    const node = boundedNode(first!, timeoutMs);
    const server = parseInfo(String(await node.call("INFO", "server")));
    const mode = server.get("server_mode") ?? server.get("redis_mode") ?? "standalone";
    if (mode === "cluster") {
      client.close();
      topology = "cluster";
      client = await open((d) => d.cluster(address, timeoutMs));
    } else if (mode === "sentinel") {
      const name = await sentinelMasterName(node, address, target);
      client.close();
      topology = "sentinel";
      client = await open((d) => d.sentinel(address, name, timeoutMs));
    }
  } catch (error) {
    client.close();
    throw error;
  }

  const opened = client;
  let masters: Promise<readonly CliNode[]> | undefined;
  return {
    target,
    prefix: options.prefix,
    topology,
    timeoutMs,
    masters: () =>
      (masters ??= withDeadline(opened.masters(), timeoutMs)
        .then((nodes) => nodes.map((node) => boundedNode(node, timeoutMs)))
        .catch((error: unknown) => {
          throw isTimeout(error) ? timedOut(target, "the list of masters", timeoutMs) : error;
        })),
    store: redisStore({ client: opened.client, prefix: options.prefix }),
    async bounded(work, what) {
      try {
        return await withDeadline(work, timeoutMs);
      } catch (error) {
        throw isTimeout(error) ? timedOut(target, what, timeoutMs) : error;
      }
    },
    close: async () => opened.close(),
  };
}
