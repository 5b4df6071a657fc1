import { fileURLToPath } from "node:url";

const dist = (path: string) => fileURLToPath(new URL(`../../dist/${path}`, import.meta.url));

// The login example on Nuxt: every route is a Nitro server route rendering the
// shared pages (examples/shared/pages.ts), so the forms work without JavaScript
// and the app matches every other framework's version page for page.
import type {} from "@nuxt/nitro-server"; // its NuxtConfig["nitro"]
import { defineNuxtConfig } from "nuxt/config";

export default defineNuxtConfig({
  compatibilityDate: "2026-01-01",
  devtools: { enabled: false },
  telemetry: false,
  // No Vue pages and no Vue renderer: the server routes answer every page,
  // and any other path is h3's 404 (not Nuxt's welcome page).
  pages: false,
  experimental: { noVueServer: true },
  // The repository's own build of Tessera (`npm run build`), as an installed
  // package would be: the self-reference "tessera-session/..." is Node's, not
  // the bundler's.
  alias: {
    "tessera-session/h3": dist("adapters/h3.js"),
    "tessera-session/memory": dist("store/memory.js"),
    "tessera-session/redis": dist("store/redis/index.js"),
    "tessera-session": dist("index.js"),
  },
  nitro: {
    preset: "node-server",
    errorHandler: "~~/server/error-handler.ts",
  },
});
