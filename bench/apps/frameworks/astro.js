// The benchmark app on Astro: @astrojs/node's middleware-mode handler of
// bench/apps/frameworks/astro's build, its middleware and catch-all endpoint
// calling this process's host (shared/host.js).
import { serveListener, setBenchHost } from "../shared/host.js";

/** @param {import("../shared/routes.js").SessionPlugin} plugin  `install()` returns an Astro middleware, or undefined */
export async function serveAstro(plugin) {
  await setBenchHost(plugin);
  const { handler } = await import("./astro/dist/server/entry.mjs");
  serveListener((req, res) => void handler(req, res));
}
