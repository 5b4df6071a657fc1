/**
 * The SvelteKit login example's build step: `vite build` (SvelteKit, then
 * adapter-node) into build/, redone only when its sources or the shared
 * pages changed. The demo launcher and the tests call it before starting
 * the app; a first build takes about half a minute here.
 */
import { join } from "node:path";
import { ensureBuilt as ensureCachedBuild, VITE_CLI } from "../shared/cached-build.js";

/** The app's folder. */
export const APP_DIR = import.meta.dirname;

/** Builds the app unless build/ holds a build of the current sources. */
export function ensureBuilt(): Promise<void> {
  return ensureCachedBuild({
    dir: APP_DIR,
    sources: ["src", "package.json", "svelte.config.js", "vite.config.js", "../shared"],
    output: join(APP_DIR, "build"),
    command: [VITE_CLI, "build"],
  });
}
