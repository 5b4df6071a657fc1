/**
 * The build step of the full-stack framework apps (the SvelteKit and Astro
 * login examples, the conformance apps the tests build): a production
 * build inside the app's folder (git-ignored), redone only when a source
 * changed. Sources are hashed by content, so a checkout or a touch alone
 * does not rebuild, and two processes asking at once build once.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The repository root: apps link `tessera-session` to it, as an installed app has it in node_modules. */
export const REPOSITORY_ROOT = resolve(import.meta.dirname, "../..");

/** Vite's CLI: `vite build` runs SvelteKit's build and then its adapter. */
export const VITE_CLI = join(REPOSITORY_ROOT, "node_modules/vite/bin/vite.js");

/** Astro's build, run through its API (examples/shared/astro-build.mjs says why). */
export const ASTRO_BUILD = join(REPOSITORY_ROOT, "examples/shared/astro-build.mjs");

/** What {@link ensureBuilt} builds. */
export interface CachedBuild {
  /** The app's folder (its package.json, config and src/). */
  readonly dir: string;
  /** Files and folders whose content the build depends on, absolute or relative to `dir`. */
  readonly sources: readonly string[];
  /** The folder the build writes; its stamp records the sources' hash. */
  readonly output: string;
  /** The build command's arguments after `node` (the framework's CLI script), run in `dir`. */
  readonly command: readonly string[];
}

/** Longest a build may take: the issue's bound for a first start on this 2-core machine. */
const BUILD_LIMIT_MS = 4 * 60_000;
/** Folders never hashed: outputs, caches and installed packages. */
const SKIPPED = new Set(["node_modules", "build", "dist", ".svelte-kit", ".astro", ".vite", ".build-lock"]);
const STAMP = ".tessera-build-hash";

function hashInto(hash: ReturnType<typeof createHash>, path: string, root: string): void {
  const stat = statSync(path);
  if (stat.isDirectory()) {
    for (const name of readdirSync(path).sort()) if (!SKIPPED.has(name)) hashInto(hash, join(path, name), root);
    return;
  }
  hash.update(`${relative(root, path)}\0`).update(readFileSync(path)).update("\0");
}

/** The hash of the build's sources and command. */
export function sourcesHash(build: CachedBuild): string {
  const hash = createHash("sha256").update(JSON.stringify(build.command));
  for (const source of build.sources) hashInto(hash, resolve(build.dir, source), REPOSITORY_ROOT);
  return hash.digest("hex");
}

/**
 * Links `node_modules/tessera-session` in the app's folder to this
 * repository, so the built app imports the package from outside its
 * bundle (the app lists it in `dependencies`), the same module instance
 * a test process imports.
 */
function linkTessera(dir: string): void {
  const link = join(dir, "node_modules", "tessera-session");
  if (existsSync(link)) return;
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(relative(dirname(link), REPOSITORY_ROOT), link, "dir");
}

function runBuild(build: CachedBuild): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...build.command], {
      cwd: build.dir,
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: BUILD_LIMIT_MS,
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", fail);
    child.once("exit", (code, signal) =>
      code === 0 ? done() : fail(new Error(`build in ${build.dir} failed (${signal ?? `exit ${code}`}):\n${output.slice(-4000)}`)),
    );
  });
}

/**
 * Builds the app unless its output was built from the same sources.
 * Concurrent callers (two test files) wait for one build, bounded in time.
 *
 * @example
 * ```ts
 * await ensureBuilt({ dir, sources: ["src", "svelte.config.js"], output: join(dir, "build"), command: [viteCli, "build"] });
 * ```
 */
export async function ensureBuilt(build: CachedBuild): Promise<void> {
  const hash = sourcesHash(build);
  const stamp = join(build.output, STAMP);
  const fresh = () => existsSync(stamp) && readFileSync(stamp, "utf8") === hash;
  if (fresh()) return;
  linkTessera(build.dir);
  const lock = join(build.dir, ".build-lock");
  const deadline = Date.now() + BUILD_LIMIT_MS + 10_000;
  for (let attempt = 0; attempt < 2000; attempt++) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A lock older than a build can take was left by a killed process.
      if (Date.now() - statSync(lock).mtimeMs > BUILD_LIMIT_MS) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`gave up waiting for the build in ${build.dir} (${lock})`, { cause: error });
      else await sleep(250);
      if (fresh()) return;
    }
  }
  try {
    if (fresh()) return;
    await runBuild(build);
    writeFileSync(stamp, hash);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
