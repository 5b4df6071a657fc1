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
  nitro: {
    preset: "node-server",
    // Tessera stays out of the server bundle, as an installed package would:
    // Node resolves "tessera-session/..." at run time through the link the
    // build step makes (examples/shared/link-tessera.ts). Bundled, its Redis
    // store would miss the Lua scripts it reads from the files beside it.
    rollupConfig: { external: [/^tessera-session(\/|$)/] },
    errorHandler: "~~/server/error-handler.ts",
  },
});
