// The benchmark app on Next.js: the production build of the adapter
// conformance fixture (test/fixtures/next-conformance, built by the harness),
// whose one optional catch-all route handler calls the handler this process puts
// under its global symbol; served by Next's programmatic server.
import { createRequire } from "node:module";
import { URL, fileURLToPath } from "node:url";
import { respond, serveListener } from "../shared/host.js";

const DIR = fileURLToPath(new URL("../../../test/fixtures/next-conformance/", import.meta.url));
const HANDLE = Symbol.for("tessera.next-conformance.handle");

/**
 * `plugin.install()` returns how to wrap a `(request, session) => Response`
 * route handler (Tessera's `route()`), or undefined for bare Next.
 *
 * @param {import("../shared/routes.js").SessionPlugin} plugin
 */
export async function serveNext(plugin) {
  const wrap = (await plugin.install()) ?? ((fn) => (request) => fn(request, undefined));
  globalThis[HANDLE] = wrap((request, session) => respond(plugin, request, session));
  const next = createRequire(import.meta.url)("next")({ dev: false, dir: DIR, quiet: true });
  await next.prepare();
  const handle = next.getRequestHandler();
  serveListener((req, res) => void handle(req, res));
}
