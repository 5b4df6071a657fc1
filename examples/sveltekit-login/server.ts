/**
 * Runs one instance of the SvelteKit login example (its production build,
 * built first when the sources changed).
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/sveltekit-login/server.ts
 *
 * Environment and launcher protocol: see examples/shared/demo-server.ts
 * (any TRUST_PROXY value trusts a load balancer on this host).
 */
import { createServer } from "node:http";
import { runDemoServer } from "../shared/demo-server.js";
import { createLoginHandler } from "./app.js";

await runDemoServer(async ({ trustProxy, ...options }) => createServer(await createLoginHandler({ ...options, trustProxy: trustProxy !== undefined })));
