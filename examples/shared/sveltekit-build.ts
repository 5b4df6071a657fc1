/**
 * SvelteKit apps' production build (`vite build`: SvelteKit, then
 * adapter-node, into the app's build/), made or reused by
 * examples/shared/framework-build.ts. The app has its own package.json, so
 * Tessera is linked into its node_modules first (examples/shared/link-tessera.ts).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureFrameworkBuild } from "./framework-build.js";
import { linkTessera } from "./link-tessera.js";

/** Vite's CLI script: `vite build` runs SvelteKit's build and then its adapter. */
export const VITE_CLI = fileURLToPath(new URL("../../node_modules/vite/bin/vite.js", import.meta.url));

/**
 * Builds the SvelteKit app in `root` unless its build/ was built from the
 * same inputs (its own directory plus `inputs`); returns adapter-node's
 * handler module's path.
 *
 * @example
 * ```ts
 * const { handler } = (await import(pathToFileURL(await ensureSvelteKitBuilt(root, [])).href)) as { handler: RequestListener };
 * ```
 */
export async function ensureSvelteKitBuilt(root: string, inputs: readonly string[]): Promise<string> {
  linkTessera(root);
  await ensureFrameworkBuild({ root, inputs: [root, ...inputs], command: [VITE_CLI, "build"], stampFile: join(root, "build", "tessera-inputs") });
  return join(root, "build", "handler.js");
}
