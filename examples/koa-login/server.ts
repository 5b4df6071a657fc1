/**
 * Runs one instance of the Koa login example.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/koa-login/server.ts
 *
 * Environment: see examples/shared/demo-server.ts.
 */
import { demoServer } from "../shared/demo-server.js";
import { createLoginApp } from "./app.js";

const demo = demoServer();
const server = createLoginApp(demo).listen(demo.port, "127.0.0.1", () => {
  console.log(`koa login example ${demo.instance} on http://127.0.0.1:${demo.port} (sessions in ${demo.redisUrl})`);
});

function shutdown(): void {
  server.close();
  demo.shutdown();
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
