import { adapterConformance } from "tessera-session/testing";
import { serveExpress } from "./support/express-conformance-app.js";
import { withTopology } from "./support/topology-conformance.js";

// The adapter conformance suite (Express, the reference adapter) on a real
// 3-master, 3-replica Redis Cluster, with both clients.
adapterConformance(withTopology("Cluster", "express", "ioredis", serveExpress));
adapterConformance(withTopology("Cluster", "express", "node-redis", serveExpress));
