/**
 * Runs one instance of the Hono login example on Node.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/hono-login/server.ts
 *
 * Environment: see examples/shared/demo-server.ts.
 */
import { serve } from "@hono/node-server";
import { demoServer } from "../shared/demo-server.js";
import { createLoginApp } from "./app.js";

const demo = demoServer();
const server = serve({ fetch: createLoginApp(demo).fetch, port: demo.port, hostname: "127.0.0.1" }, () => {
  console.log(`hono login example ${demo.instance} on http://127.0.0.1:${demo.port} (sessions in ${demo.redisUrl})`);
});

function shutdown(): void {
  server.close();
  demo.shutdown();
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
