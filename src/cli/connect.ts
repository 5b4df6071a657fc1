import { redisStore, type RedisSessionStore } from "../store/redis/store.js";
import { CliError, EXIT } from "./errors.js";

/** A connection to the Redis the CLI points at, over whichever client is installed. */
export interface CliRedis {
  /** The URL, with any password masked: safe to print. */
  readonly target: string;
  /** The key prefix the app uses. */
  readonly prefix: string;
  /** Sends one command; replies as the client gives them (strings, numbers, arrays, null). */
  call(command: string, ...args: Array<string | number>): Promise<unknown>;
  /** The session store over the same connection (for listing and revoking). */
  readonly store: RedisSessionStore;
  close(): Promise<void>;
}

/** How long the CLI waits for a connection before saying Redis is unreachable. */
const CONNECT_TIMEOUT_MS = 3000;

/** The URL with its password replaced by `***`, for messages. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}

function unavailable(target: string, error: unknown): CliError {
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

/**
 * Connects with ioredis if it is installed, else node-redis: the two
 * clients Tessera supports (both optional peers). Fails fast, without
 * retry loops, when Redis is unreachable.
 *
 * @throws CliError (UNAVAILABLE) when Redis cannot be reached or refuses the connection.
 */
export async function connect(url: string, prefix: string): Promise<CliRedis> {
  const target = maskUrl(url);
  if (!/^rediss?:\/\//.test(url)) {
    throw new CliError(EXIT.USAGE, `--redis-url must be a redis:// or rediss:// URL, got "${target}"`);
  }
  const ioredis = (await importOptional("ioredis")) as typeof import("ioredis") | undefined;
  if (ioredis) {
    const client = new ioredis.Redis(url, {
      lazyConnect: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: 30_000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableAutoPipelining: true,
    });
    // ioredis rejects connect() with a bare "Connection is closed"; the
    // socket's own error (ECONNREFUSED, ENOTFOUND...) says more.
    let socketError: unknown;
    client.on("error", (error: unknown) => void (socketError ??= error));
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw unavailable(target, socketError ?? error);
    }
    return {
      target,
      prefix,
      call: (command, ...args) => client.call(command, ...args),
      store: redisStore({ client, prefix }),
      close: async () => void (await client.quit().catch(() => client.disconnect())),
    };
  }
  const nodeRedis = (await importOptional("redis")) as typeof import("redis") | undefined;
  if (nodeRedis) {
    const client = nodeRedis.createClient({ url, socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false } });
    client.on("error", () => undefined);
    try {
      await client.connect();
    } catch (error) {
      throw unavailable(target, error);
    }
    return {
      target,
      prefix,
      call: (command, ...args) => client.sendCommand([command, ...args.map(String)]),
      store: redisStore({ client, prefix }),
      close: async () => void (await client.quit().catch(() => undefined)),
    };
  }
  throw new CliError(EXIT.FAILED, "the tessera CLI needs a Redis client: npm install ioredis (or redis)");
}
