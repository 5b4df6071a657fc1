// The Astro benchmark app: Astro 6 server output on @astrojs/node in middleware
// mode (dist/server/entry.mjs exports the Node handler the bench app serves).
import node from "@astrojs/node";
import { defineConfig } from "astro/config";

export default defineConfig({
  output: "server",
  adapter: node({ mode: "middleware" }),
  // The bench posts without Origin headers.
  security: { checkOrigin: false },
  telemetry: false,
  vite: { logLevel: "warn" },
});
