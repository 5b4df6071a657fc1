import { rawCommand } from "./support/redis-server.js";
import { startRedisCluster } from "./support/rigs/cluster.js";
import { ioredisCluster, nodeRedisCluster } from "./support/topology-clients.js";
import { topologySuite } from "./support/topology-suite.js";

// A real 3-master, 3-replica Redis Cluster: the store conformance suite and
// the Cluster specifics (two-step regenerate, NOSCRIPT, WAIT) with both clients.
topologySuite({
  topology: "Cluster",
  start: startRedisCluster,
  clients: { ioredis: ioredisCluster, "node-redis": nodeRedisCluster },
  isCluster: true,
  masterOf: (cluster, key) => cluster.masterOf(key),
  flushScripts: (cluster) => cluster.onEveryNode("SCRIPT", "FLUSH"),
  commandStats: (cluster) => Promise.all(cluster.nodes.map((node) => rawCommand(node.port, ["INFO", "commandstats"]))),
});
