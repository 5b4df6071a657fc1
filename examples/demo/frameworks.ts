/**
 * The frameworks the demo launcher runs, by `--framework` name: each login
 * example's server script, the name its pages show, and for the full-stack
 * frameworks (served from a production build) the build step the launcher
 * runs once before starting instances. A mixed fleet (`express,next`)
 * alternates them behind one balancer.
 */
import { fileURLToPath } from "node:url";
import { ensureBuilt as ensureNextBuilt } from "../next-login/build.js";
import { ensureBuilt as ensureNuxtBuilt } from "../nuxt-login/build.js";
import { ensureBuilt as ensureReactRouterBuilt } from "../react-router-login/build.js";
import { ensureBuilt as ensureSvelteKitBuilt } from "../sveltekit-login/build.js";
import { ensureBuilt as ensureAstroBuilt } from "../astro-login/build.js";
import { LOGIN_SERVERS } from "./instances.js";

/** One framework's login example, as the launcher starts it. */
export interface FrameworkEntry {
  /** The `--framework` value: "express", "next"... */
  readonly name: string;
  /** The server script (run through tsx), speaking examples/shared/instance-protocol.ts. */
  readonly script: string;
  /** Builds the production build unless it is up to date (full-stack frameworks only). */
  readonly build?: () => Promise<unknown>;
  /** How long one instance may take to be ready once built. Default 60 s. */
  readonly readyTimeoutMs?: number;
}

/** The Next.js example's entry point. */
export const NEXT_LOGIN_SERVER = fileURLToPath(new URL("../next-login/server.ts", import.meta.url));

/**
 * Every framework, by name. A full-stack framework adds its entry here with
 * its `build` (see examples/shared/framework-build.ts).
 */
export const FRAMEWORKS: Readonly<Record<string, FrameworkEntry>> = {
  ...Object.fromEntries(Object.entries(LOGIN_SERVERS).map(([name, script]) => [name, { name, script }])),
  next: { name: "next", script: NEXT_LOGIN_SERVER, build: ensureNextBuilt, readyTimeoutMs: 120_000 },
  nuxt: { name: "nuxt", script: fileURLToPath(new URL("../nuxt-login/server.ts", import.meta.url)), build: ensureNuxtBuilt, readyTimeoutMs: 120_000 },
  "react-router": { name: "react-router", script: fileURLToPath(new URL("../react-router-login/server.ts", import.meta.url)), build: ensureReactRouterBuilt, readyTimeoutMs: 120_000 },
  sveltekit: { name: "sveltekit", script: fileURLToPath(new URL("../sveltekit-login/server.ts", import.meta.url)), build: ensureSvelteKitBuilt, readyTimeoutMs: 120_000 },
  astro: { name: "astro", script: fileURLToPath(new URL("../astro-login/server.ts", import.meta.url)), build: ensureAstroBuilt, readyTimeoutMs: 120_000 },
};

/**
 * The frameworks of a `--framework` value: one name, or several separated
 * by commas for a mixed fleet (each at most once).
 *
 * @throws Error naming the unknown or repeated framework and the known ones.
 *
 * @example
 * ```ts
 * parseFrameworks("express,next").map((f) => f.name); // ["express", "next"]
 * ```
 */
export function parseFrameworks(value: string): FrameworkEntry[] {
  const names = value.split(",").map((name) => name.trim());
  const known = Object.keys(FRAMEWORKS).join(", ");
  const entries: FrameworkEntry[] = [];
  for (const name of names) {
    const entry = FRAMEWORKS[name];
    if (entry === undefined) throw new Error(`--framework: "${name}" is not one of ${known} (a mixed fleet: express,next)`);
    if (entries.includes(entry)) throw new Error(`--framework: "${name}" is given twice`);
    entries.push(entry);
  }
  return entries;
}

/**
 * Runs each framework's build step, one after the other (builds are heavy
 * on a small machine), so that the instances then start from a finished
 * build instead of racing to make it.
 *
 * @example
 * ```ts
 * await buildFrameworks(parseFrameworks("express,next"));
 * ```
 */
export async function buildFrameworks(entries: readonly FrameworkEntry[]): Promise<void> {
  for (const entry of entries) await entry.build?.();
}

/**
 * The framework of the `index`-th instance of a fleet: the frameworks in
 * turn, so a round-robin balancer alternates them request by request.
 */
export function frameworkOf(entries: readonly FrameworkEntry[], index: number): FrameworkEntry {
  return entries[index % entries.length]!;
}
