/**
 * Runs one instance of the React Router login example: its production
 * build (`react-router build`, made or reused by build.ts) served by
 * @react-router/node on 127.0.0.1. The build creates its own session
 * manager from the environment (examples/shared/env-login-options.ts).
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/react-router-login/server.ts
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { createRequestListener } from "@react-router/node";
import type { ServerBuild } from "react-router";
import type { InstanceReady } from "../shared/instance-protocol.js";
import { ensureBuilt } from "./build.js";

/** How long a graceful stop may take before open connections are cut. */
const SHUTDOWN_GRACE_MS = 3000;

process.env.EXAMPLE_FRAMEWORK = "React Router"; // the name the build's pages show beside the instance
const build = (await import(await ensureBuilt())) as ServerBuild;
const server = createServer(createRequestListener({ build, mode: "production" }));
// The name the build's pages show (examples/shared/env-login-options.ts): this process is theirs.
const instance = `${process.env.INSTANCE_NAME ?? hostname()} · pid ${process.pid}`;
server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(`login example ${instance} on http://127.0.0.1:${port}`);
  const ready: InstanceReady = { type: "ready", port, pid: process.pid, instance };
  process.send?.(ready);
});

let stopping = false;
function shutdown(): void {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, SHUTDOWN_GRACE_MS).unref();
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
// The launcher holds the IPC channel: if it dies, this instance must not stay behind.
process.once("disconnect", shutdown);
