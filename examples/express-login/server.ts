/**
 * Runs one instance of the Express login example.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/express-login/server.ts
 *
 * Environment: see examples/shared/demo-server.ts. TRUST_PROXY is Express's
 * "trust proxy" setting (e.g. "loopback" behind a local load balancer).
 */
import { demoServer } from "../shared/demo-server.js";
import { createLoginApp } from "./app.js";

const demo = demoServer();
const app = createLoginApp({ ...demo, trustProxy: process.env.TRUST_PROXY });
const server = app.listen(demo.port, "127.0.0.1", () => {
  console.log(`login example ${demo.instance} on http://127.0.0.1:${demo.port} (sessions in ${demo.redisUrl})`);
});

function shutdown(): void {
  server.close();
  demo.shutdown();
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
