/**
 * Runs one instance of the Fastify login example.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/fastify-login/server.ts
 *
 * Environment and launcher protocol: see examples/shared/demo-server.ts.
 */
import { runDemoServer } from "../shared/demo-server.js";
import { createLoginApp } from "./app.js";

await runDemoServer(async ({ trustProxy, ...options }) => {
  const app = await createLoginApp({ ...options, trustProxy: trustProxy !== undefined });
  // Fastify serves through its own node:http server once its plugins are loaded.
  await app.ready();
  return app.server;
});
