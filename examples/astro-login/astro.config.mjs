// The Astro login example: Astro 6.0 server output on @astrojs/node 10 in middleware
// mode (dist/server/entry.mjs exports a Node handler that app.ts serves), built into dist/.
import node from "@astrojs/node";
import { defineConfig } from "astro/config";

export default defineConfig({
  output: "server",
  adapter: node({ mode: "middleware" }),
  // astroCsrf (src/middleware.ts) checks Origin and Sec-Fetch-Site and a per-session
  // token on every POST, with the 403 page the other frameworks' examples show.
  security: { checkOrigin: false },
  telemetry: false,
  vite: { ssr: { external: ["tessera-session"] }, logLevel: "warn" },
});
