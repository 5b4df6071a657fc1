/**
 * The Next.js conformance app's production build (test/fixtures/next-conformance):
 * what test/adapter-next.test.ts serves, and the benchmark's Next apps too
 * (bench/lib/framework-builds.ts).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FrameworkBuild } from "../../examples/shared/framework-build.js";

/** The fixture's directory (Next's `dir`). */
export const NEXT_CONFORMANCE_DIR = fileURLToPath(new URL("../fixtures/next-conformance/", import.meta.url));

/** `next build` of the fixture, redone only when its route or config changed. */
export const NEXT_CONFORMANCE_BUILD: FrameworkBuild = {
  root: NEXT_CONFORMANCE_DIR,
  inputs: [join(NEXT_CONFORMANCE_DIR, "app"), join(NEXT_CONFORMANCE_DIR, "next.config.ts")],
  command: [createRequire(import.meta.url).resolve("next/dist/bin/next"), "build"],
  stampFile: join(NEXT_CONFORMANCE_DIR, ".next", "tessera-inputs"),
};
