/**
 * Runs one instance of the Fastify login example.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/fastify-login/server.ts
 *
 * Environment: see examples/shared/demo-server.ts.
 */
import { demoServer } from "../shared/demo-server.js";
import { createLoginApp } from "./app.js";

const demo = demoServer();
const app = await createLoginApp(demo);
await app.listen({ port: demo.port, host: "127.0.0.1" });
console.log(`fastify login example ${demo.instance} on http://127.0.0.1:${demo.port} (sessions in ${demo.redisUrl})`);

function shutdown(): void {
  void app.close().then(demo.shutdown);
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
