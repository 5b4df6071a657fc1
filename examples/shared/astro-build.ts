/**
 * Astro apps' production build (@astrojs/node, into the app's dist/), made
 * or reused by examples/shared/framework-build.ts, run through Astro's API
 * (examples/shared/astro-build-cli.mjs says why). The app has its own
 * package.json, so Tessera is linked into its node_modules first
 * (examples/shared/link-tessera.ts).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureFrameworkBuild } from "./framework-build.js";
import { linkTessera } from "./link-tessera.js";

/** The build script, run with `node` in the app's folder. */
export const ASTRO_BUILD_CLI = fileURLToPath(new URL("astro-build-cli.mjs", import.meta.url));

/**
 * Builds the Astro app in `root` unless its dist/ was built from the same
 * inputs (its own directory plus `inputs`); returns the server entry's path
 * (in middleware mode, it exports `handler`).
 *
 * @example
 * ```ts
 * const { handler } = (await import(pathToFileURL(await ensureAstroBuilt(root, [])).href)) as { handler: AstroNodeHandler };
 * ```
 */
export async function ensureAstroBuilt(root: string, inputs: readonly string[]): Promise<string> {
  linkTessera(root);
  await ensureFrameworkBuild({ root, inputs: [root, ...inputs], command: [ASTRO_BUILD_CLI], stampFile: join(root, "dist", "tessera-inputs") });
  return join(root, "dist", "server", "entry.mjs");
}
