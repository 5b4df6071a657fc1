/**
 * The Astro login example as a `node:http` handler: the production build's
 * @astrojs/node handler (built first if needed), each request carrying the
 * app's options in its locals (src/lib/host.ts).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { pathToFileURL } from "node:url";
import type { LoginAppOptions } from "../shared/login-app.js";
import { ensureBuilt } from "./build.js";
import { LOGIN_HOST } from "./src/lib/host.js";

/** @astrojs/node's middleware-mode handler: the fourth argument becomes `Astro.locals`. */
type AstroNodeHandler = (req: IncomingMessage, res: ServerResponse, next: undefined, locals: object) => Promise<void>;

/**
 * The login app for these options: same routes and pages as every other
 * framework's version, naming Astro beside the instance unless
 * `options.framework` says otherwise.
 *
 * @example
 * ```ts
 * http.createServer(await createLoginHandler({ sessions, instance: "a" })).listen(3000);
 * ```
 */
export async function createLoginHandler(options: LoginAppOptions): Promise<RequestListener> {
  const built = (await import(pathToFileURL(await ensureBuilt()).href)) as { handler: AstroNodeHandler };
  // One object for every request: the middleware chain is made once per options object (src/middleware.ts).
  const host: LoginAppOptions = { framework: "Astro", ...options };
  return (req, res) => void built.handler(req, res, undefined, { [LOGIN_HOST]: host });
}
