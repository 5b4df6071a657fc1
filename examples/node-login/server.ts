/**
 * Runs one instance of the node:http login example.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/node-login/server.ts
 *
 * Environment: see examples/shared/demo-server.ts.
 */
import { createServer } from "node:http";
import { demoServer } from "../shared/demo-server.js";
import { createLoginHandler } from "./app.js";

const demo = demoServer();
const server = createServer(createLoginHandler(demo)).listen(demo.port, "127.0.0.1", () => {
  console.log(`node:http login example ${demo.instance} on http://127.0.0.1:${demo.port} (sessions in ${demo.redisUrl})`);
});

function shutdown(): void {
  server.close();
  demo.shutdown();
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
