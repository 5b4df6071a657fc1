/**
 * Runs one instance of the Koa login example.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/koa-login/server.ts
 *
 * Environment and launcher protocol: see examples/shared/demo-server.ts.
 */
import { createServer } from "node:http";
import { runDemoServer } from "../shared/demo-server.js";
import { createLoginApp } from "./app.js";

await runDemoServer(({ trustProxy, ...options }) =>
  createServer(createLoginApp({ ...options, trustProxy: trustProxy !== undefined }).callback()),
);
