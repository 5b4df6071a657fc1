// The benchmark app as a plain fetch handler (`(Request) => Response`),
// served on Node by @hono/node-server's `serve`, the fetch server Tessera's
// docs name for Node.
import { serve } from "@hono/node-server";
import { announce } from "../shared/env.js";
import { respond } from "../shared/host.js";

/**
 * `plugin.install()` returns how to wrap a `(request, session) => Response`
 * handler (Tessera's `fetchSessions().handler`), or undefined for the bare handler.
 *
 * @param {import("../shared/routes.js").SessionPlugin} plugin
 */
export async function serveFetch(plugin) {
  const wrap = (await plugin.install()) ?? ((fn) => (request) => fn(request, undefined));
  const fetch = wrap((request, session) => respond(plugin, request, session));
  const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, () => announce(server));
}
