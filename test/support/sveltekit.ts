/**
 * The SvelteKit conformance app (test/apps/sveltekit-conformance): its
 * production build (adapter-node's `build/handler.js`), reused while its
 * sources are unchanged, served in this process with the manager a test
 * hands over on each Node request.
 */
import { createServer, type IncomingMessage, type RequestListener } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { SessionManager } from "tessera-session";
import { listenOnLoopback, type ConformanceData, type ServedApp } from "tessera-session/testing";
import { ensureSvelteKitBuilt } from "../../examples/shared/sveltekit-build.js";

const APP_DIR = resolve(import.meta.dirname, "../apps/sveltekit-conformance");

let handler: Promise<RequestListener> | undefined;

/** The built app's Node handler, building it first when its sources changed. */
function builtHandler(): Promise<RequestListener> {
  handler ??= ensureSvelteKitBuilt(APP_DIR, []).then(async (entry) => ((await import(pathToFileURL(entry).href)) as { handler: RequestListener }).handler);
  return handler;
}

/**
 * Serves the conformance app for `manager` on a loopback port: the app's
 * hook reads the manager from the request (`event.platform.req`). With
 * `firstManager`, that manager's hook runs first, in `sequence()` (the
 * app's /two-managers route).
 *
 * @example
 * ```ts
 * adapterConformance(withRedis("sveltekit", "ioredis", serveSvelteKitConformance));
 * ```
 */
export async function serveSvelteKitConformance(manager: SessionManager<ConformanceData>, firstManager?: SessionManager<ConformanceData>): Promise<ServedApp> {
  const handle = await builtHandler();
  return listenOnLoopback(
    createServer((req: IncomingMessage & { tesseraManager?: unknown; tesseraFirstManager?: unknown }, res) => {
      req.tesseraManager = manager;
      if (firstManager !== undefined) req.tesseraFirstManager = firstManager;
      handle(req, res);
    }),
  );
}
