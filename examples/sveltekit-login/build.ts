/**
 * The SvelteKit login example's build step: `vite build` (SvelteKit, then
 * adapter-node) into build/, redone only when its sources or the shared
 * pages changed (examples/shared/sveltekit-build.ts). The demo launcher and
 * the tests call it before starting the app; a first build takes about half
 * a minute here.
 */
import { fileURLToPath } from "node:url";
import { ensureSvelteKitBuilt } from "../shared/sveltekit-build.js";

/** Builds the app unless build/ holds a build of the current sources; returns adapter-node's handler module. */
export function ensureBuilt(): Promise<string> {
  return ensureSvelteKitBuilt(fileURLToPath(new URL(".", import.meta.url)), [fileURLToPath(new URL("../shared", import.meta.url))]);
}
