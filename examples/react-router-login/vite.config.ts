import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [reactRouter()],
  logLevel: "warn",
  // Tessera stays out of the server bundle, as an installed package would:
  // the build keeps "tessera-session/..." imports, which Node resolves at run
  // time to the repository's own build (dist/, by the package's self-reference).
  // Bundled, its Redis store would miss the Lua scripts it reads from the
  // files beside it (dist/store/redis/lua/).
  ssr: { external: ["tessera-session"] },
});
