import { defineNuxtConfig } from "nuxt/config";

// The Nuxt benchmark app: a production build whose node listener the bench
// app process serves (bench/apps/frameworks/nuxt.js); its session middleware
// and its routes are that process's (the bench host, on globalThis). No Vue
// renderer, as in examples/nuxt-login: the server routes answer everything.
export default defineNuxtConfig({
  compatibilityDate: "2026-01-01",
  devtools: { enabled: false },
  telemetry: false,
  pages: false,
  experimental: { noVueServer: true },
  nitro: { preset: "node-listener" },
});
