import { adapterConformance } from "tessera-session/testing";
import { withRedis } from "./support/conformance.js";
import { serveExpress as serve } from "./support/express-conformance-app.js";

adapterConformance(withRedis("express", "ioredis", serve));
adapterConformance(withRedis("express", "node-redis", serve));
// The same suite with the token in a header instead of the cookie (issue 14).
adapterConformance({ ...withRedis("express", "ioredis", serve), transport: "bearer" });
adapterConformance({ ...withRedis("express", "node-redis", serve), transport: { header: "X-Session-Token" } });
