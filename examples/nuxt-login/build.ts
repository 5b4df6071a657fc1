/**
 * The Nuxt example's production build (`nuxi build`, Nitro's node-server
 * preset, into examples/nuxt-login/.output), rebuilt only when its sources,
 * the shared pages or Tessera's dist changed.
 */
import { fileURLToPath } from "node:url";
import { ensureFrameworkBuild } from "../shared/framework-build.js";
import { linkTessera } from "../shared/link-tessera.js";

/** The example's directory. */
export const NUXT_LOGIN_ROOT = fileURLToPath(new URL(".", import.meta.url));
/** The built server: `node` it with PORT and HOST set. */
export const NUXT_LOGIN_ENTRY = fileURLToPath(new URL(".output/server/index.mjs", import.meta.url));

/** The nuxi CLI script (Nuxt's own build command). */
export const NUXI_SCRIPT = fileURLToPath(new URL("../../node_modules/@nuxt/cli/bin/nuxi.mjs", import.meta.url));

/**
 * Builds a Nuxt app in `root` with `nuxi build` unless its `.output` was
 * built from the same inputs (its own directory plus `inputs`).
 */
export function ensureNuxtBuilt(root: string, inputs: readonly string[]): Promise<void> {
  linkTessera(root); // the built server imports Tessera from its node_modules (nuxt.config.ts)
  return ensureFrameworkBuild({ root, inputs: [root, ...inputs], command: [NUXI_SCRIPT, "build"], stampFile: `${root}/.output/tessera-inputs` });
}

/** Builds the Nuxt login example if needed. */
export function ensureBuilt(): Promise<void> {
  return ensureNuxtBuilt(NUXT_LOGIN_ROOT, [fileURLToPath(new URL("../shared", import.meta.url)), fileURLToPath(new URL("../../dist", import.meta.url))]);
}
