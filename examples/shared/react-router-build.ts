/**
 * React Router apps' production build (`react-router build`, into the app's
 * build/), made or reused by examples/shared/framework-build.ts.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureFrameworkBuild } from "./framework-build.js";

/** The React Router CLI script (@react-router/dev). */
export const REACT_ROUTER_CLI = fileURLToPath(new URL("../../node_modules/@react-router/dev/bin.js", import.meta.url));

/**
 * Builds the React Router app in `root` unless its build/ was built from the
 * same inputs (its own directory plus `inputs`); returns the server build's path.
 *
 * @example
 * ```ts
 * const serverBuild = await ensureReactRouterBuilt(root, []);
 * const build = (await import(serverBuild)) as ServerBuild;
 * ```
 */
export async function ensureReactRouterBuilt(root: string, inputs: readonly string[]): Promise<string> {
  await ensureFrameworkBuild({ root, inputs: [root, ...inputs], command: [REACT_ROUTER_CLI, "build"], stampFile: join(root, "build", "tessera-inputs") });
  return join(root, "build", "server", "index.js");
}
