/**
 * The Next.js example's production build (`next build`), redone only when
 * its sources (or the shared pages, or Tessera's dist, which Next bundles)
 * changed: the shared build step (examples/shared/framework-build.ts).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureFrameworkBuild, type FrameworkBuild } from "../shared/framework-build.js";

const root = fileURLToPath(new URL(".", import.meta.url));
const repo = fileURLToPath(new URL("../..", import.meta.url));

/** The build of examples/next-login. */
export const NEXT_LOGIN_BUILD: FrameworkBuild = {
  root,
  inputs: [join(root, "app"), join(root, "lib"), join(root, "next.config.ts"), join(root, "tsconfig.json"), join(repo, "examples", "shared"), join(repo, "dist")],
  command: [createRequire(import.meta.url).resolve("next/dist/bin/next"), "build"],
  stampFile: join(root, ".next", "tessera-inputs"),
};

/** Builds the example unless `.next/` holds a build of the same inputs. */
export function ensureBuilt(): Promise<void> {
  return ensureFrameworkBuild(NEXT_LOGIN_BUILD);
}
