/**
 * The build step of the full-stack frameworks' examples (Next.js, SvelteKit,
 * Nuxt, React Router, Astro), which serve a production build: build when
 * the sources changed since the last build, else reuse it. The sources'
 * hash is kept inside the build output, so deleting the output rebuilds.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

/** One example's build. */
export interface BuildStep {
  /** For messages: "next-login". */
  readonly name: string;
  /** The example's folder: the command runs there. */
  readonly dir: string;
  /** Files and folders whose contents make the build (folders are walked, skipping `node_modules` and dot-folders). */
  readonly inputs: readonly string[];
  /** The build's output folder (git-ignored); the hash goes in it. */
  readonly outputDir: string;
  /** The build command, run with node: a script path and its arguments. */
  readonly command: readonly string[];
  /** Longest the build may take. Default 4 minutes. */
  readonly timeoutMs?: number;
}

const HASH_FILE = ".tessera-sources.sha256";
/** Bounds the walk: an input folder this large is a mistake (a build output, node_modules). */
const MAX_FILES = 5000;

function filesOf(path: string, found: string[]): void {
  const entries = readdirSync(path, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const child = join(path, entry.name);
    if (entry.isDirectory()) filesOf(child, found);
    else if (entry.isFile()) found.push(child);
    if (found.length > MAX_FILES) throw new Error(`build inputs: more than ${MAX_FILES} files under ${path}`);
  }
}

/** The hash of the inputs' paths and contents. */
export function sourcesHash(step: BuildStep): string {
  const hash = createHash("sha256");
  for (const input of step.inputs) {
    const files: string[] = [];
    const stat = statSync(input, { throwIfNoEntry: false });
    if (stat?.isDirectory()) filesOf(input, files);
    else if (stat?.isFile()) files.push(input);
    for (const file of files) hash.update(relative(step.dir, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

/** Whether the output was built from these sources. */
export function isBuilt(step: BuildStep): boolean {
  const file = join(step.outputDir, HASH_FILE);
  return existsSync(file) && readFileSync(file, "utf8") === sourcesHash(step);
}

/**
 * Builds the example unless its output is from the same sources. Several
 * processes starting at once (a fleet) would race: the launcher calls this
 * once before starting instances, and each instance calls it again, which
 * then finds the build done.
 *
 * @example
 * ```ts
 * await ensureBuilt({ name: "next-login", dir, inputs: [join(dir, "app")], outputDir: join(dir, ".next"), command: [nextBin, "build"] });
 * ```
 */
export async function ensureBuilt(step: BuildStep): Promise<"reused" | "built"> {
  if (isBuilt(step)) return "reused";
  const hash = sourcesHash(step);
  console.log(`${step.name}: building (sources changed or never built); the next start reuses it`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [...step.command], { cwd: step.dir, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`${step.name}: build not done after ${step.timeoutMs ?? 240_000} ms`));
    }, step.timeoutMs ?? 240_000);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${step.name}: build failed (code ${code}, signal ${signal})`));
    });
  });
  writeFileSync(join(step.outputDir, HASH_FILE), hash);
  return "built";
}
