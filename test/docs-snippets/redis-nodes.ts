/**
 * Snippet context `redis-nodes`: the addresses of a Redis Cluster's nodes
 * and of a Sentinel group, for fragments that show client settings
 * (`<!-- snippet: redis-nodes -->`).
 */
import type { ClusterNode, SentinelAddress } from "ioredis";
import type { createCluster, createSentinel } from "redis";

declare global {
  /** ioredis: some of the Cluster's nodes */
  const nodes: ClusterNode[];
  /** ioredis: the sentinels */
  const sentinels: SentinelAddress[];
  /** node-redis: some of the Cluster's nodes */
  const rootNodes: Parameters<typeof createCluster>[0]["rootNodes"];
  /** node-redis: the sentinels */
  const sentinelRootNodes: Parameters<typeof createSentinel>[0]["sentinelRootNodes"];
}
