import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

// Vite's cache stays in the app's folder: node_modules is shared.
export default defineConfig({ plugins: [sveltekit()], cacheDir: ".vite", logLevel: "warn" });
