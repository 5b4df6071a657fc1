/**
 * Links `node_modules/tessera-session` in an app folder that has its own
 * package.json (the SvelteKit and Astro apps, which list tessera-session in
 * `dependencies` as an installed app does) to this repository. Inside such a
 * folder the package cannot import itself by name, so without the link
 * neither the app's build nor the type-check resolves `tessera-session/...`;
 * with it, the built app imports the package from outside its bundle, the
 * same module instance a test process imports.
 */
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, the link's target. */
export const REPOSITORY_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Makes `<appDir>/node_modules/tessera-session` a relative link to the
 * repository (relative, so a moved or cloned checkout keeps it working);
 * replaces a dangling one.
 *
 * @example
 * ```ts
 * linkTessera(join(REPOSITORY_ROOT, "examples/sveltekit-login"));
 * ```
 */
export function linkTessera(appDir: string): void {
  const link = join(appDir, "node_modules", "tessera-session");
  if (existsSync(link)) return;
  if (lstatSync(link, { throwIfNoEntry: false }) !== undefined) rmSync(link, { force: true }); // dangling
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(relative(dirname(link), REPOSITORY_ROOT), link, "dir");
}
