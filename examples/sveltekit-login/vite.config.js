import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [sveltekit()],
  // Vite's cache stays in the app's folder: node_modules is shared.
  cacheDir: ".vite",
  // Linked packages are bundled by default; an installed one is not.
  ssr: { external: ["tessera-session"] },
  logLevel: "warn",
});
