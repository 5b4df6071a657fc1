import { adapterConformance } from "tessera-session/testing";
import { withRedis } from "./support/conformance.js";
import { serveExpress as serve } from "./support/express-conformance-app.js";

adapterConformance(withRedis("express", "ioredis", serve));
adapterConformance(withRedis("express", "node-redis", serve));
