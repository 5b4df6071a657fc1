import type { RedisClient } from "../../store/redis/client.js";
import type { RedisAddress } from "../redis-url.js";

/** One Redis server the CLI sends raw commands to: SCAN, INFO, CONFIG, per-key scripts. */
export interface RawNode {
  /** `host:port`, for messages. */
  readonly address: string;
  /** Sends one command to this server; replies as the client gives them (strings, numbers, arrays, null). */
  call(command: string, ...args: Array<string | number>): Promise<unknown>;
}

/** A connected client of one library, on one topology. */
export interface OpenClient {
  /** The client itself, for `redisStore` (on a Cluster it routes each key to its node). */
  readonly client: RedisClient;
  /** The masters to scan and inspect: the one server, or each master of a Cluster. */
  masters(): Promise<RawNode[]>;
  /** Drops the connections at once: never waits on a server that does not answer. */
  close(): void;
}

/**
 * How the CLI opens connections with one client library. Each function
 * resolves once the client is ready to serve commands, or rejects with the
 * client's own error (the caller words it); none retries or reconnects.
 *
 * @example
 * ```ts
 * const open = await driver.standalone("redis://127.0.0.1:6379", 5000);
 * const [node] = await open.masters();
 * await node.call("PING");
 * open.close();
 * ```
 */
export interface Driver {
  readonly name: "ioredis" | "redis";
  /** One server, as the URL says (also how the CLI first learns what the URL points at). */
  standalone(url: string, timeoutMs: number): Promise<OpenClient>;
  /** The Cluster that `seed` belongs to. */
  cluster(seed: RedisAddress, timeoutMs: number): Promise<OpenClient>;
  /** The master that the Sentinel at `sentinel` names `masterName`. */
  sentinel(sentinel: RedisAddress, masterName: string, timeoutMs: number): Promise<OpenClient>;
}
