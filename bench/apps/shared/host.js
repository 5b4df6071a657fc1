// How a full-stack framework's benchmark app gets its session layer: its
// production build (bench/apps/frameworks/<framework>/, or for Next.js the
// adapter conformance fixture) holds only a session hook and one catch-all
// route, both handing the request to this process's "bench host" on
// globalThis. Bare and Tessera apps of a framework thus serve the same
// build: the bare one sets no session hook.
/* global Response -- Node's own, as in the built apps */
import { createServer } from "node:http";
import { URL } from "node:url";
import { announce } from "./env.js";
import { answer } from "./routes.js";

/** Where the built apps find the host (a global symbol: the build is a separate module graph). */
export const BENCH_HOST = Symbol.for("tessera.bench.host");

/**
 * The benchmark routes as a fetch handler's `Response`: plain text, 404 for no such route.
 *
 * @param {import("./routes.js").SessionPlugin} plugin
 * @param {Request} request
 * @param {any} reqOrCtx  what `plugin.data` and `plugin.login` take
 */
export async function respond(plugin, request, reqOrCtx) {
  const url = new URL(request.url);
  const body = await answer(plugin, request.method, url.pathname, url.searchParams, reqOrCtx);
  return new Response(body ?? "not found", { status: body === undefined ? 404 : 200, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/**
 * Hands the built app `plugin.install()`'s session hook (the framework's
 * middleware, or undefined for a bare app) and the routes.
 *
 * @param {import("./routes.js").SessionPlugin} plugin
 */
export async function setBenchHost(plugin) {
  globalThis[BENCH_HOST] = {
    middleware: await plugin.install(),
    answer: (method, pathname, query, reqOrCtx) => answer(plugin, method, pathname, query, reqOrCtx),
    respond: (request, reqOrCtx) => respond(plugin, request, reqOrCtx),
  };
}

/** Serves a Node request listener on a free loopback port and tells the harness. */
export function serveListener(listener) {
  const server = createServer(listener);
  server.listen(0, "127.0.0.1", () => announce(server));
}
