// Builds the Astro app in the current folder through Astro's programmatic API.
// Astro 6's CLI refuses Node below 22.12 before it starts, while the build of
// Astro 6.0 (the release this repository pins and tests) runs on Node 20; on
// Node 22 `astro build` does the same. Telemetry is off before Astro loads:
// a build here must not phone home.
import process from "node:process";

process.env.ASTRO_TELEMETRY_DISABLED = "1";
const { build } = await import("astro");
await build({ root: process.cwd(), logLevel: "warn" });
