/**
 * Runs one instance of the node:http login example.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/node-login/server.ts
 *
 * Environment and launcher protocol: see examples/shared/demo-server.ts.
 */
import { createServer } from "node:http";
import { runDemoServer } from "../shared/demo-server.js";
import { createLoginHandler } from "./app.js";

await runDemoServer(({ trustProxy, ...options }) =>
  createServer(createLoginHandler({ ...options, trustProxy: trustProxy !== undefined })),
);
