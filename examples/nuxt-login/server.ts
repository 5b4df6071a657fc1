/**
 * Runs one instance of the Nuxt login example: its production build
 * (`nuxi build`, made or reused by build.ts) on 127.0.0.1.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 tsx examples/nuxt-login/server.ts
 *
 * Environment as every example's (examples/shared/demo-server.ts); the
 * launcher protocol through examples/shared/built-server.ts.
 */
import { runBuiltServer } from "../shared/built-server.js";
import { ensureBuilt, NUXT_LOGIN_ENTRY } from "./build.js";

await ensureBuilt();
runBuiltServer([NUXT_LOGIN_ENTRY], { PORT: process.env.PORT ?? "3000", HOST: "127.0.0.1", EXAMPLE_FRAMEWORK: "Nuxt" });
