/**
 * The Astro login example's build step: Astro's production build
 * (@astrojs/node, middleware mode) into dist/, redone only when its sources
 * or the shared pages changed (examples/shared/astro-build.ts). The demo
 * launcher and the tests call it before starting the app; a first build
 * takes about half a minute here.
 */
import { fileURLToPath } from "node:url";
import { ensureAstroBuilt } from "../shared/astro-build.js";

/** Builds the app unless dist/ holds a build of the current sources; returns the server entry. */
export function ensureBuilt(): Promise<string> {
  return ensureAstroBuilt(fileURLToPath(new URL(".", import.meta.url)), [fileURLToPath(new URL("../shared", import.meta.url))]);
}
