/**
 * The production builds the full-stack frameworks' benchmark apps serve,
 * made (or reused while their sources are unchanged) by the examples' build
 * step before any app starts: the apps are plain `node` processes that only
 * import a build. Next.js serves the adapter conformance fixture (its one optional
 * catch-all route handler hands every request to its process); the others
 * are the minimal apps in bench/apps/frameworks/<framework>/.
 */
import { join } from "node:path";
import process from "node:process";
import { ensureAstroBuilt } from "../../examples/shared/astro-build.js";
import { ensureFrameworkBuild } from "../../examples/shared/framework-build.js";
import { ensureReactRouterBuilt } from "../../examples/shared/react-router-build.js";
import { ensureSvelteKitBuilt } from "../../examples/shared/sveltekit-build.js";
import { ensureNuxtBuilt } from "../../examples/nuxt-login/build.js";
import { NEXT_CONFORMANCE_BUILD } from "../../test/support/next.js";
import { APPS_DIR, type Framework } from "./apps.js";

const appDir = (framework: Framework): string => join(APPS_DIR, "frameworks", framework);

const BUILDS: Partial<Record<Framework, () => Promise<unknown>>> = {
  next: () => {
    process.env.NEXT_TELEMETRY_DISABLED ??= "1"; // a build here must not phone home
    return ensureFrameworkBuild(NEXT_CONFORMANCE_BUILD);
  },
  nuxt: () => ensureNuxtBuilt(appDir("nuxt"), []),
  "react-router": () => ensureReactRouterBuilt(appDir("react-router"), []),
  sveltekit: () => ensureSvelteKitBuilt(appDir("sveltekit"), []),
  astro: () => ensureAstroBuilt(appDir("astro"), []),
};

/**
 * Builds, one after another (a build takes both cores), what the given
 * frameworks' apps serve; frameworks without a build step are skipped.
 *
 * @example
 * ```ts
 * await ensureBenchBuilds(new Set(specs.map((s) => s.framework)), log);
 * ```
 */
export async function ensureBenchBuilds(frameworks: ReadonlySet<Framework>, log: (message: string) => void): Promise<void> {
  for (const framework of frameworks) {
    const build = BUILDS[framework];
    if (build === undefined) continue;
    const started = Date.now();
    await build();
    log(`${framework} build ready (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
}
