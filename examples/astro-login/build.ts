/**
 * The Astro login example's build step: Astro's production build
 * (@astrojs/node, middleware mode) into dist/, redone only when its sources
 * or the shared pages changed. The demo launcher and the tests call it
 * before starting the app; a first build takes about half a minute here.
 */
import { join } from "node:path";
import { ASTRO_BUILD, ensureBuilt as ensureCachedBuild } from "../shared/cached-build.js";

/** The app's folder. */
export const APP_DIR = import.meta.dirname;

/** Builds the app unless dist/ holds a build of the current sources. */
export function ensureBuilt(): Promise<void> {
  return ensureCachedBuild({
    dir: APP_DIR,
    sources: ["src", "package.json", "astro.config.mjs", "../shared"],
    output: join(APP_DIR, "dist"),
    command: [ASTRO_BUILD],
  });
}
