/**
 * Runs one instance of the Hono login example on Node.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/hono-login/server.ts
 *
 * Environment and launcher protocol: see examples/shared/demo-server.ts.
 */
import type { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import { runDemoServer } from "../shared/demo-server.js";
import { createLoginApp } from "./app.js";

await runDemoServer(({ trustProxy, ...options }) => {
  const app = createLoginApp({ ...options, trustProxy: trustProxy !== undefined });
  return createAdaptorServer({ fetch: app.fetch }) as Server;
});
