/**
 * The Next.js example's production build (`next build`), redone only when
 * its sources (or the shared pages) changed. Tessera itself is loaded at
 * run time (next.config.ts `serverExternalPackages`), so `npm run build`
 * needs no rebuild here.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt as ensureStep, type BuildStep } from "../shared/build-step.js";

const dir = fileURLToPath(new URL(".", import.meta.url));
const shared = fileURLToPath(new URL("../shared", import.meta.url));

/** The build step of examples/next-login. */
export const NEXT_LOGIN_BUILD: BuildStep = {
  name: "next-login",
  dir,
  inputs: [join(dir, "app"), join(dir, "lib"), join(dir, "next.config.ts"), join(dir, "tsconfig.json"), shared],
  outputDir: join(dir, ".next"),
  command: [createRequire(import.meta.url).resolve("next/dist/bin/next"), "build"],
};

/** Builds the example unless `.next/` holds a build of the same sources. */
export function ensureBuilt(): Promise<"reused" | "built"> {
  return ensureStep(NEXT_LOGIN_BUILD);
}
