/**
 * The build step of the full-stack framework apps (the Next.js, Nuxt, React
 * Router, SvelteKit and Astro examples, the conformance apps the tests
 * build): run the framework's production build once, and reuse it while its inputs are
 * unchanged (a SHA-256 over their contents, kept beside the output), so a
 * later start is ready at once. One build at a time per app: a lock
 * directory holds off other starts (the demo launches several instances)
 * until the first one's build is done.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** What to build and what the build depends on. */
export interface FrameworkBuild {
  /** The app's directory. */
  root: string;
  /** Files and directories whose contents decide the build (the app's sources, examples/shared, Tessera's dist). */
  inputs: readonly string[];
  /** The build command, run with `node` in `root`: the CLI's script and its arguments. */
  command: readonly string[];
  /** Where the output's hash is kept (inside the build output, so a clean removes it). */
  stampFile: string;
}

/** Longest a first build may take here (the issue allows 4 minutes to be ready). */
const BUILD_TIMEOUT_MS = 4 * 60_000;
/**
 * Directories never hashed when found inside an input: installed packages,
 * build outputs, caches and the lock below. An input itself is always hashed
 * (Tessera's dist/ is one for the apps that bundle it).
 */
const SKIPPED = new Set(["node_modules", ".output", ".nuxt", "build", ".react-router", ".cache", ".next", ".svelte-kit", ".astro", ".vite", "dist", ".build-lock"]);
/** Bound on the files hashed, so a misplaced input cannot walk a whole disk. */
const MAX_FILES = 5000;

async function listFiles(path: string, into: string[]): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => undefined);
  if (entries === undefined) {
    into.push(path); // a file
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (SKIPPED.has(entry.name)) continue;
    if (into.length >= MAX_FILES) throw new Error(`framework-build: more than ${MAX_FILES} input files under ${path}`);
    const child = join(path, entry.name);
    if (entry.isDirectory()) await listFiles(child, into);
    else if (entry.isFile()) into.push(child);
  }
}

/** The SHA-256 of the inputs' paths and contents. */
export async function inputsHash(build: FrameworkBuild): Promise<string> {
  const files: string[] = [];
  for (const input of build.inputs) await listFiles(input, files);
  const hash = createHash("sha256");
  for (const file of files) hash.update(`${relative(build.root, file)}\0`).update(await readFile(file)).update("\0");
  return hash.digest("hex");
}

function run(build: FrameworkBuild): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, build.command, { cwd: build.root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, NODE_ENV: "production" } });
    const timer = setTimeout(() => child.kill("SIGKILL"), BUILD_TIMEOUT_MS);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${build.command.join(" ")} in ${build.root} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/** Whether the pid in a lock is a live process (a killed build leaves its lock behind). */
async function lockHolderAlive(lock: string): Promise<boolean> {
  const pid = Number(await readFile(join(lock, "pid"), "utf8").catch(() => "0"));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the app unless its output was built from the same inputs.
 *
 * @example
 * ```ts
 * await ensureFrameworkBuild({ root, inputs: [root], command: [nuxiScript, "build"], stampFile: join(root, ".output/tessera-inputs") });
 * ```
 */
export async function ensureFrameworkBuild(build: FrameworkBuild): Promise<void> {
  const lock = join(build.root, ".build-lock");
  const deadline = Date.now() + BUILD_TIMEOUT_MS + 30_000;
  for (;;) {
    const wanted = await inputsHash(build);
    if ((await readFile(build.stampFile, "utf8").catch(() => "")) === wanted) return;
    try {
      await mkdir(lock);
    } catch {
      // Another start is building: wait for it, then look again.
      if (!(await lockHolderAlive(lock))) await rm(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`framework-build: ${lock} still held after ${BUILD_TIMEOUT_MS / 1000}s`);
      else await sleep(1000);
      continue;
    }
    try {
      await writeFile(join(lock, "pid"), String(process.pid));
      console.error(`building ${build.root} (its sources changed, or no build yet)...`);
      await run(build);
      await writeFile(build.stampFile, wanted);
      return;
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}
