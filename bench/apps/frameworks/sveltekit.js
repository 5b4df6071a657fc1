// The benchmark app on SvelteKit: adapter-node's handler of
// bench/apps/frameworks/sveltekit's build, its `handle` hook and catch-all
// endpoint calling this process's host (shared/host.js).
import { serveListener, setBenchHost } from "../shared/host.js";

/** @param {import("../shared/routes.js").SessionPlugin} plugin  `install()` returns a `handle` hook, or undefined */
export async function serveSvelteKit(plugin) {
  await setBenchHost(plugin);
  const { handler } = await import("./sveltekit/build/handler.js");
  serveListener(handler);
}
