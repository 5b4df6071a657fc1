import { adapterConformance } from "tessera-session/testing";
import { serveAstroConformance } from "./support/astro.js";
import { withRedis } from "./support/conformance.js";

// The suite against a production build of an Astro 6 app (server output,
// @astrojs/node in middleware mode: test/apps/astro-conformance), built once
// and reused while unchanged.
adapterConformance(withRedis("astro", "ioredis", serveAstroConformance));
adapterConformance(withRedis("astro", "node-redis", serveAstroConformance));
adapterConformance({ ...withRedis("astro", "ioredis", serveAstroConformance), transport: "bearer" });
