/**
 * Runs one instance of the Express login example.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/express-login/server.ts
 *
 * Environment and launcher protocol: see examples/shared/demo-server.ts
 * (TRUST_PROXY is Express's "trust proxy" setting, e.g. "loopback"). The
 * page's live element is served at the `/live` WebSocket (live.ts).
 */
import { createServer } from "node:http";
import { runDemoServer } from "../shared/demo-server.js";
import { createLoginApp } from "./app.js";
import { attachLive } from "./live.js";

await runDemoServer((options) => {
  const server = createServer(createLoginApp({ ...options, live: true }));
  attachLive(server, options.sessions, options.instance);
  return server;
});
