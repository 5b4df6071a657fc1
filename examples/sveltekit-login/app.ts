/**
 * The SvelteKit login example as a `node:http` handler: the production
 * build's adapter-node handler (built first if needed), each request
 * carrying the app's options to its hooks (src/lib/server/host.ts).
 */
import type { IncomingMessage, RequestListener } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { LoginAppOptions } from "../shared/login-app.js";
import { APP_DIR, ensureBuilt } from "./build.js";
import { LOGIN_HOST } from "./src/lib/server/host.js";

/**
 * The login app for these options: same routes and pages as every other
 * framework's version.
 *
 * @example
 * ```ts
 * http.createServer(await createLoginHandler({ sessions, instance: "a" })).listen(3000);
 * ```
 */
export async function createLoginHandler(options: LoginAppOptions): Promise<RequestListener> {
  await ensureBuilt();
  const built = (await import(pathToFileURL(join(APP_DIR, "build/handler.js")).href)) as { handler: RequestListener };
  return (req: IncomingMessage & { [LOGIN_HOST]?: LoginAppOptions }, res) => {
    req[LOGIN_HOST] = options;
    built.handler(req, res);
  };
}
