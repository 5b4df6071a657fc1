import type { Cluster, Redis, RedisOptions } from "ioredis";
import { withDeadline } from "../deadline.js";
import type { RedisAddress } from "../redis-url.js";
import type { Driver, OpenClient, RawNode } from "./driver.js";

type IoRedis = typeof import("ioredis");

/**
 * Fail fast, never retry: an operator's command should say what is wrong
 * at once. `commandTimeout` bounds every command, the ready check included
 * (`connectTimeout` covers only the TCP connect).
 */
function failFast(timeoutMs: number): RedisOptions {
  return { lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null };
}

function credentials(address: RedisAddress): RedisOptions {
  return { username: address.username, password: address.password, ...(address.tls ? { tls: {} } : {}) };
}

function rawNode(client: Redis, address: string): RawNode {
  return { address, call: (command, ...args) => client.call(command, ...args) };
}

/**
 * Connects, within the deadline. ioredis rejects connect() with a bare
 * "Connection is closed"; the socket's own error (ECONNREFUSED, NOAUTH...)
 * says more, so that is what is thrown.
 */
async function ready(client: Redis | Cluster, timeoutMs: number): Promise<void> {
  let socketError: unknown;
  client.on("error", (error: unknown) => void (socketError ??= error));
  try {
    await withDeadline(client.connect(), timeoutMs, () => client.disconnect());
  } catch (error) {
    client.disconnect();
    throw socketError ?? error;
  }
}

/** The address a connected client is talking to (after Sentinel has resolved it). */
function peer(client: Redis): string {
  const stream = (client as unknown as { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
  return `${stream?.remoteAddress ?? client.options.host}:${stream?.remotePort ?? client.options.port}`;
}

/** The CLI's connections over ioredis. */
export function ioredisDriver(ioredis: IoRedis): Driver {
  return {
    name: "ioredis",

    async standalone(url, timeoutMs): Promise<OpenClient> {
      const client = new ioredis.Redis(url, { ...failFast(timeoutMs), enableAutoPipelining: true });
      await ready(client, timeoutMs);
      const node = rawNode(client, `${client.options.host}:${client.options.port}`);
      return { client, masters: async () => [node], close: () => client.disconnect() };
    },

    async cluster(seed, timeoutMs): Promise<OpenClient> {
      const client = new ioredis.Cluster([{ host: seed.host, port: seed.port }], {
        lazyConnect: true,
        redisOptions: { ...failFast(timeoutMs), ...credentials(seed) },
        clusterRetryStrategy: () => null,
        slotsRefreshTimeout: timeoutMs,
        // A slot that moves while the CLI runs (a failover) is followed,
        // within a budget of a few seconds.
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        maxRedirections: 16,
      });
      await ready(client, timeoutMs);
      return {
        client,
        masters: async () => client.nodes("master").map((node) => rawNode(node, `${node.options.host}:${node.options.port}`)),
        close: () => client.disconnect(),
      };
    },

    async sentinel(sentinel, masterName, timeoutMs): Promise<OpenClient> {
      const client = new ioredis.Redis({
        ...failFast(timeoutMs),
        ...credentials(sentinel),
        sentinels: [{ host: sentinel.host, port: sentinel.port }],
        name: masterName,
        sentinelUsername: sentinel.username,
        sentinelPassword: sentinel.password,
        sentinelRetryStrategy: () => null,
        enableTLSForSentinelMode: sentinel.tls,
        enableAutoPipelining: true,
      });
      await ready(client, timeoutMs);
      const node = rawNode(client, peer(client));
      return { client, masters: async () => [node], close: () => client.disconnect() };
    },
  };
}
