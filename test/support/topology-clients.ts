import { Cluster, Redis } from "ioredis";
import { createCluster, createSentinel } from "redis";
import type { RedisClusterRig } from "./rigs/cluster.js";
import type { RedisSentinelRig } from "./rigs/sentinel.js";

/**
 * Redis clients for Cluster and Sentinel, configured as docs/scaling-out.md
 * recommends, so the tests prove the documented settings. Every client
 * here is closed with {@link closeClient}.
 */

/** Retry quickly but not in a tight loop while a replacement master is elected (~2–3 s). */
const reconnectDelayMs = (attempt: number): number => Math.min(50 * (attempt + 1), 500);

/** ioredis Cluster: a retry budget longer than a failover (the default 16 × 100 ms is shorter). */
export function ioredisCluster(rig: RedisClusterRig): Cluster {
  return new Cluster([...rig.startupNodes], {
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    maxRedirections: 40,
    slotsRefreshInterval: 1000,
    // No enableAutoPipelining here: a batch mixing MOVED and successful
    // replies is not retried by ioredis, so MOVED errors reach requests.
    clusterRetryStrategy: reconnectDelayMs,
    redisOptions: { commandTimeout: 3000 },
  });
}

/** ioredis with Sentinel: follow +switch-master at once and reconnect on a capped linear backoff. */
export function ioredisSentinel(rig: RedisSentinelRig): Redis {
  return new Redis({
    sentinels: [...rig.sentinels],
    name: rig.masterName,
    failoverDetector: true,
    enableAutoPipelining: true,
    commandTimeout: 3000,
    retryStrategy: reconnectDelayMs,
    sentinelRetryStrategy: reconnectDelayMs,
  });
}

/**
 * node-redis's command timeout stops applying once a command is on the
 * wire, so a hung (SIGSTOPped) node needs `socketTimeout`, which needs
 * `pingInterval` to keep idle sockets alive, and a reconnect strategy that
 * never gives up.
 */
const nodeRedisSocket = {
  connectTimeout: 1000,
  socketTimeout: 3000,
  reconnectStrategy: (retries: number) => reconnectDelayMs(retries),
} as const;

/** node-redis Cluster, connected. */
export async function nodeRedisCluster(rig: RedisClusterRig) {
  const client = createCluster({
    rootNodes: rig.startupNodes.map((node) => ({ socket: { host: node.host, port: node.port } })),
    defaults: { socket: nodeRedisSocket, pingInterval: 1000 },
    topologyRefreshOnReconnectionAttemptStrategy: 500,
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** node-redis Sentinel, connected. */
export async function nodeRedisSentinel(rig: RedisSentinelRig) {
  const client = createSentinel({
    name: rig.masterName,
    sentinelRootNodes: [...rig.sentinels],
    nodeClientOptions: { socket: nodeRedisSocket, pingInterval: 1000 },
    sentinelClientOptions: { socket: nodeRedisSocket },
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** Closes any of the clients above without waiting on a dead node. */
export async function closeClient(client: { disconnect?: () => unknown; destroy?: () => unknown }): Promise<void> {
  if (typeof client.destroy === "function") await client.destroy();
  else await client.disconnect?.();
}
