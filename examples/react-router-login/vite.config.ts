import { fileURLToPath } from "node:url";
import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

const dist = (path: string) => fileURLToPath(new URL(`../../dist/${path}`, import.meta.url));

export default defineConfig({
  plugins: [reactRouter()],
  logLevel: "warn",
  // The repository's own build of Tessera (`npm run build`), as an installed
  // package would be: the self-reference "tessera-session/..." is Node's, not the bundler's.
  resolve: {
    alias: [
      { find: /^tessera-session\/react-router$/, replacement: dist("adapters/react-router.js") },
      { find: /^tessera-session\/memory$/, replacement: dist("store/memory.js") },
      { find: /^tessera-session\/redis$/, replacement: dist("store/redis/index.js") },
      { find: /^tessera-session$/, replacement: dist("index.js") },
    ],
  },
});
