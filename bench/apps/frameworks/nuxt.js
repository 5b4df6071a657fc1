// The benchmark app on Nuxt: the node listener of bench/apps/frameworks/nuxt's
// production build (Nitro's node-listener preset), its session middleware and
// routes from this process (shared/host.js).
import { serveListener, setBenchHost } from "../shared/host.js";

/** @param {import("../shared/routes.js").SessionPlugin} plugin  `install()` returns an h3 event handler, or undefined */
export async function serveNuxt(plugin) {
  await setBenchHost(plugin);
  const { listener } = await import("./nuxt/.output/server/index.mjs");
  serveListener(listener);
}
