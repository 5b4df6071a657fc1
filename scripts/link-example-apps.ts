/**
 * Links `node_modules/tessera-session` into every app folder with its own
 * package.json that depends on tessera-session (examples/sveltekit-login,
 * examples/astro-login, test/apps/*), as their build step does: the
 * type-check runs it first, so `tessera-session/sveltekit` and
 * `tessera-session/astro` resolve on a clean clone, before any app was built.
 *
 *   tsx scripts/link-example-apps.ts
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { linkTessera, REPOSITORY_ROOT } from "../examples/shared/link-tessera.js";

/** The folders whose sub-folders may be such apps. */
const APP_PARENTS = ["examples", "test/apps"];

function dependsOnTessera(appDir: string): boolean {
  const manifest = join(appDir, "package.json");
  // Without a package.json of its own, an app imports the repository's package by name.
  if (!existsSync(manifest)) return false;
  const { dependencies } = JSON.parse(readFileSync(manifest, "utf8")) as { dependencies?: Record<string, string> };
  return dependencies?.["tessera-session"] !== undefined;
}

for (const parent of APP_PARENTS) {
  for (const entry of readdirSync(join(REPOSITORY_ROOT, parent), { withFileTypes: true })) {
    const appDir = join(REPOSITORY_ROOT, parent, entry.name);
    if (entry.isDirectory() && dependsOnTessera(appDir)) linkTessera(appDir);
  }
}
