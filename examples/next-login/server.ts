/**
 * Runs one instance of the Next.js login example: the production build
 * (built first when its sources changed, see build.ts), served by Next's
 * request handler on a node:http server of ours, so the port, the
 * launcher's "ready" message and the X-Served-By header work as in the
 * other examples. The app itself makes its session manager from the
 * environment (lib/login.ts), as a Next app does.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/next-login/server.ts
 *
 * Environment and launcher protocol: see examples/shared/demo-server.ts.
 */
import { createServer } from "node:http";
import { SERVED_BY_HEADER } from "../shared/api.js";
import { demoInstanceName, listenDemoServer } from "../shared/demo-server.js";
import { ensureBuilt } from "./build.js";
import { startNext } from "./start.js";

await ensureBuilt();
const instance = demoInstanceName();
const handle = await startNext();
const server = createServer((req, res) => {
  // Set as the head goes out, after Next copied the headers through its own
  // Headers (which re-encode a name like "app-1 · pid 12" as UTF-8).
  const writeHead = res.writeHead;
  res.writeHead = function (this: typeof res, ...args: Parameters<typeof res.writeHead>) {
    this.setHeader(SERVED_BY_HEADER, instance);
    return writeHead.apply(this, args);
  } as typeof res.writeHead;
  void handle(req, res);
});
listenDemoServer(server, instance, () => undefined);
