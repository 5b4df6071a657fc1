import { adapterConformance } from "tessera-session/testing";
import { serveExpress } from "./support/express-conformance-app.js";
import { withTopology } from "./support/topology-conformance.js";

// The adapter conformance suite (Express, the reference adapter) on a real
// Sentinel group (master, replica, 3 sentinels), with both clients.
adapterConformance(withTopology("Sentinel", "express", "ioredis", serveExpress));
adapterConformance(withTopology("Sentinel", "express", "node-redis", serveExpress));
