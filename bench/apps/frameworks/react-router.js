// The benchmark app on React Router 7 (framework mode, v8 middleware): the
// server build of bench/apps/frameworks/react-router, served by
// @react-router/node, its root middleware and resource route calling this
// process's host (shared/host.js).
import { createRequestListener } from "@react-router/node";
import { serveListener, setBenchHost } from "../shared/host.js";

/** @param {import("../shared/routes.js").SessionPlugin} plugin  `install()` returns a route middleware, or undefined */
export async function serveReactRouter(plugin) {
  await setBenchHost(plugin);
  const build = await import("./react-router/build/server/index.js");
  serveListener(createRequestListener({ build, mode: "production" }));
}
