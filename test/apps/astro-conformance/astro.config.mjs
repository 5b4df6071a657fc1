// The conformance app: Astro 6 server output on @astrojs/node in middleware mode
// (dist/server/entry.mjs exports a Node handler the test serves in its own process).
import node from "@astrojs/node";
import { defineConfig } from "astro/config";

export default defineConfig({
  output: "server",
  adapter: node({ mode: "middleware" }),
  // The suite posts without Origin headers; Tessera's behaviour is under test, not Astro's check.
  security: { checkOrigin: false },
  telemetry: false,
  vite: { ssr: { external: ["tessera-session"] }, logLevel: "warn" },
});
