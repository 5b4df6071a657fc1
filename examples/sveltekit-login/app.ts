/**
 * The SvelteKit login example as a `node:http` handler: the production
 * build's adapter-node handler (built first if needed), each request
 * carrying the app's options to its hooks (src/lib/server/host.ts).
 */
import type { IncomingMessage, RequestListener } from "node:http";
import { pathToFileURL } from "node:url";
import type { LoginAppOptions } from "../shared/login-app.js";
import { ensureBuilt } from "./build.js";
import { LOGIN_HOST } from "./src/lib/server/host.js";

/**
 * The login app for these options: same routes and pages as every other
 * framework's version, naming SvelteKit beside the instance unless
 * `options.framework` says otherwise.
 *
 * @example
 * ```ts
 * http.createServer(await createLoginHandler({ sessions, instance: "a" })).listen(3000);
 * ```
 */
export async function createLoginHandler(options: LoginAppOptions): Promise<RequestListener> {
  const built = (await import(pathToFileURL(await ensureBuilt()).href)) as { handler: RequestListener };
  // One object for every request: the hooks are made once per options object (hooks.server.ts).
  const host: LoginAppOptions = { framework: "SvelteKit", ...options };
  return (req: IncomingMessage & { [LOGIN_HOST]?: LoginAppOptions }, res) => {
    req[LOGIN_HOST] = host;
    built.handler(req, res);
  };
}
