import { rawCommand } from "./support/redis-server.js";
import { startRedisSentinel } from "./support/rigs/sentinel.js";
import { ioredisSentinel, nodeRedisSentinel } from "./support/topology-clients.js";
import { topologySuite } from "./support/topology-suite.js";

// A real Sentinel group (master, replica, 3 sentinels): the store
// conformance suite and the Sentinel specifics (NOSCRIPT, WAIT) with both clients.
topologySuite({
  topology: "Sentinel",
  start: startRedisSentinel,
  clients: { ioredis: ioredisSentinel, "node-redis": nodeRedisSentinel },
  isCluster: false,
  masterOf: (group) => group.master(),
  flushScripts: async (group) => {
    for (const server of group.servers) await rawCommand(server.port, ["SCRIPT", "FLUSH"]);
  },
  commandStats: (group) => Promise.all(group.servers.map((node) => rawCommand(node.port, ["INFO", "commandstats"]))),
});
