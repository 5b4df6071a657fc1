import { withDeadline } from "../deadline.js";
import type { RedisAddress } from "../redis-url.js";
import type { Driver, OpenClient, RawNode } from "./driver.js";

type NodeRedis = typeof import("redis");
type Args = Array<string | number>;

/**
 * Fail fast, never reconnect: an operator's command should say what is
 * wrong at once. node-redis has no per-command timeout that holds once a
 * command is on the wire: the CLI's own deadline (connect.ts) bounds each
 * command, and this bounds the TCP connect.
 */
function socket(address: RedisAddress | undefined, timeoutMs: number) {
  return {
    connectTimeout: timeoutMs,
    reconnectStrategy: false as const,
    ...(address ? { host: address.host, port: address.port } : {}),
    ...(address?.tls ? { tls: true as const } : {}),
  };
}

function credentials(address: RedisAddress): { username?: string; password?: string } {
  return { ...(address.username ? { username: address.username } : {}), ...(address.password ? { password: address.password } : {}) };
}

/**
 * Connects, within the deadline. The 'error' listener keeps a failed
 * connection from crashing the process; connect() rejects with the cause.
 */
async function ready(client: { connect(): Promise<unknown>; destroy(): unknown; on(event: "error", listener: () => void): unknown }, timeoutMs: number): Promise<void> {
  client.on("error", () => undefined);
  try {
    await withDeadline(client.connect(), timeoutMs, () => void client.destroy());
  } catch (error) {
    try {
      await client.destroy();
    } catch {
      // already closed
    }
    throw error;
  }
}

/** Closes without waiting on a hung server; a client that already closed itself is fine. */
function closer(client: { destroy(): unknown }): () => void {
  return () => {
    try {
      void Promise.resolve(client.destroy()).catch(() => undefined);
    } catch {
      // already closed
    }
  };
}

/** The CLI's connections over node-redis. */
export function nodeRedisDriver(redis: NodeRedis): Driver {
  return {
    name: "redis",

    async standalone(url, timeoutMs): Promise<OpenClient> {
      const client = redis.createClient({ url, socket: socket(undefined, timeoutMs) });
      await ready(client, timeoutMs);
      const parsed = new URL(url);
      const node: RawNode = {
        address: `${parsed.hostname}:${parsed.port || 6379}`,
        call: (command, ...args: Args) => client.sendCommand([command, ...args.map(String)]),
      };
      return { client, masters: async () => [node], close: closer(client) };
    },

    async cluster(seed, timeoutMs): Promise<OpenClient> {
      const client = redis.createCluster({
        rootNodes: [{ socket: socket(seed, timeoutMs) }],
        defaults: { ...credentials(seed), socket: socket(undefined, timeoutMs) },
      });
      await ready(client, timeoutMs);
      return {
        client,
        masters: () =>
          Promise.all(
            client.masters.map(async (master): Promise<RawNode> => {
              const node = await client.nodeClient(master);
              return { address: `${master.host}:${master.port}`, call: (command, ...args: Args) => node.sendCommand([command, ...args.map(String)]) };
            }),
          ),
        close: closer(client),
      };
    },

    async sentinel(sentinel, masterName, timeoutMs): Promise<OpenClient> {
      const options = { ...credentials(sentinel), socket: socket(undefined, timeoutMs) };
      const client = redis.createSentinel({
        name: masterName,
        sentinelRootNodes: [{ host: sentinel.host, port: sentinel.port }],
        nodeClientOptions: options,
        sentinelClientOptions: options,
      });
      await ready(client, timeoutMs);
      const master = client.getMasterNode();
      const node: RawNode = {
        address: master ? `${master.host}:${master.port}` : `${masterName} (via ${sentinel.host}:${sentinel.port})`,
        call: (command, ...args: Args) => client.sendCommand(false, [command, ...args.map(String)]),
      };
      return { client, masters: async () => [node], close: closer(client) };
    },
  };
}
