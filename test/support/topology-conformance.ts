import type { SessionManager } from "tessera-session";
import { redisStore, type RedisClient } from "tessera-session/redis";
import type { AdapterConformanceOptions, ConformanceData, ConformanceRedis, ServedApp } from "tessera-session/testing";
import type { ClientKind } from "./conformance.js";
import type { RedisServer } from "./redis-server.js";
import { startRedisCluster, type RedisClusterRig } from "./rigs/cluster.js";
import { startRedisSentinel, type RedisSentinelRig } from "./rigs/sentinel.js";
import * as clients from "./topology-clients.js";

/**
 * The adapter conformance suite's Redis controls over a whole topology:
 * a "hung Redis" pauses every process of it, a "stopped Redis" stops every
 * data node and restarts them empty, and command counts add up what the
 * masters received from clients.
 */

/** Commands clients and Redis itself send on their own (health checks, topology, replication, sentinel gossip). */
const HOUSEKEEPING = new Set(["ping", "cluster", "info", "client", "command", "readonly", "role", "hello", "select", "echo", "auth", "publish", "subscribe", "replconf", "psync", "sync"]);

/** Counts the data commands `servers` receive while `work` runs (one MONITOR each, nested). */
async function countOn(servers: readonly RedisServer[], work: () => Promise<unknown>): Promise<{ total: number }> {
  let total = 0;
  const watch = async (index: number): Promise<void> => {
    if (index === servers.length) {
      await work();
      return;
    }
    const { byCommand } = await servers[index]!.countCommands(() => watch(index + 1));
    for (const [name, count] of Object.entries(byCommand)) if (!HOUSEKEEPING.has(name)) total += count;
  };
  await watch(0);
  return { total };
}

function clusterControls(rig: RedisClusterRig): ConformanceRedis {
  return {
    countCommands: async (work) => countOn(await rig.masters(), work),
    pause: () => rig.nodes.forEach((node) => node.pause()),
    resume: () => rig.nodes.forEach((node) => node.resume()),
    stop: async () => void (await Promise.all(rig.nodes.map((node) => node.stop()))),
    // Each node finds its identity and peers in nodes.conf and the cluster re-forms, empty.
    restart: async () => {
      await Promise.all(rig.nodes.map((node) => node.restart()));
      await rig.waitHealthy();
    },
  };
}

function sentinelControls(rig: RedisSentinelRig): ConformanceRedis {
  // Sentinels are paused too: a hung group, not a failover.
  const everything = [...rig.servers, ...rig.sentinelServers];
  return {
    countCommands: async (work) => countOn([await rig.master()], work),
    pause: () => everything.forEach((server) => server.pause()),
    resume: () => everything.forEach((server) => server.resume()),
    stop: async () => void (await Promise.all(rig.servers.map((server) => server.stop()))),
    restart: async () => {
      for (const server of rig.servers) await server.restart();
      await rig.waitForReplica(await rig.master());
    },
  };
}

/**
 * Options for `adapterConformance` on a real Cluster or Sentinel group of
 * its own, with the chosen client configured as docs/scaling-out.md says.
 */
export function withTopology(
  topology: "Cluster" | "Sentinel",
  framework: string,
  client: ClientKind,
  serve: (manager: SessionManager<ConformanceData>) => Promise<ServedApp>,
): AdapterConformanceOptions {
  let close: () => Promise<unknown> = async () => undefined;
  return {
    name: `${framework} on ${topology} over ${client}`,
    async setup() {
      const prefix = `adapter-${topology}-${framework}-${client}:`.toLowerCase();
      let connection: RedisClient & { destroy?: () => unknown; disconnect?: () => unknown };
      let redis: ConformanceRedis;
      let rig: RedisClusterRig | RedisSentinelRig;
      if (topology === "Cluster") {
        const cluster = await startRedisCluster();
        rig = cluster;
        connection = client === "ioredis" ? clients.ioredisCluster(cluster) : await clients.nodeRedisCluster(cluster);
        redis = clusterControls(cluster);
      } else {
        const group = await startRedisSentinel();
        rig = group;
        connection = client === "ioredis" ? clients.ioredisSentinel(group) : await clients.nodeRedisSentinel(group);
        redis = sentinelControls(group);
      }
      close = async () => {
        await clients.closeClient(connection);
        await rig.close();
      };
      return { store: redisStore({ client: connection, prefix }), redis };
    },
    serve,
    teardown: () => close().then(() => undefined),
  };
}
