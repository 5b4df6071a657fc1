/**
 * Helpers for the fleet tests: run the demo launcher as a child, talk HTTP
 * with a one-cookie jar, read the facts a login-example page shows, and
 * wait for conditions within bounds.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { formCsrfToken, type CookieClient } from "./http.js";
import { terminate } from "../../examples/demo/terminate.js";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const LAUNCHER = fileURLToPath(new URL("../../examples/demo/launch.ts", import.meta.url));
const TSX_LOADER = import.meta.resolve("tsx");

export { waitFor } from "./wait-for.js";

/** Whether a process with this pid exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** SIGKILLs each pid that is still alive; for cleanup after a failed graceful stop. */
export function killIfAlive(pids: Iterable<number>): void {
  for (const pid of pids) {
    if (isAlive(pid)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

/** A demo launcher started by a test. */
export interface DemoProcess {
  readonly url: string;
  readonly pid: number;
  /** Every pid the launcher reported (instances and a private redis-server). */
  readonly pids: number[];
  /** Instance pids only, in app-1.. order. */
  readonly instancePids: number[];
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the exit code once it has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM (or `signal`) to the launcher, wait for it, then SIGKILL any reported pid still alive. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Options for {@link startDemo}. */
export interface StartDemoOptions {
  port: number;
  args?: string[];
  env?: Record<string, string | undefined>;
  /** Start in a new process group, so a test can send it a terminal's Ctrl-C. */
  detached?: boolean;
  readyTimeoutMs?: number;
}

/** Starts `examples/demo/launch.ts` and waits for its "ready" line (bounded). */
export async function startDemo(options: StartDemoOptions): Promise<DemoProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", TSX_LOADER, LAUNCHER, "--port", String(options.port), ...(options.args ?? [])],
    { cwd: REPO_ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"], detached: options.detached ?? false },
  );
  let text = "";
  child.stdout!.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const pid = child.pid!;
  const reportedPids = (): number[] => [...text.matchAll(/^demo:.*\bpid (\d+)/gm)].map((m) => Number(m[1]));
  const instancePids = (): number[] => [...text.matchAll(/^demo: {3}[a-z]+-\d+ {2}pid (\d+)/gm)].map((m) => Number(m[1]));

  const demo: DemoProcess = {
    url: `http://127.0.0.1:${options.port}`,
    pid,
    get pids() {
      return [...new Set(reportedPids())];
    },
    get instancePids() {
      return instancePids();
    },
    output: () => text,
    exited,
    async stop(signal = "SIGTERM") {
      await terminate(child, { signal, graceMs: 20_000 });
      killIfAlive(reportedPids());
    },
  };
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve) => {
        const onData = (): void => {
          if (/^demo: ready\./m.test(text)) resolve();
        };
        child.stdout!.on("data", onData);
      }),
      // An early exit (bad flags, port taken) fails at once, with its output.
      exited.then((code) => {
        throw new Error(`demo exited with code ${code}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`demo not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);
      }),
    ]);
  } catch (error) {
    await demo.stop();
    throw new Error(`${String(error)}\n--- demo output ---\n${text}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  return demo;
}

/** The facts every login-example page shows. */
export interface PageFacts {
  status: number;
  instance: string;
  user: string;
  visits: number;
  greeting: string;
}

function textOf(html: string, id: string): string {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html);
  return (match?.[1] ?? "").replace(/<[^>]+>/g, "").trim();
}

/** Reads instance, user, visits and greeting from a page's HTML. */
export function pageFacts(status: number, html: string): PageFacts {
  return {
    status,
    instance: textOf(html, "instance"),
    user: textOf(html, "user"),
    visits: Number(textOf(html, "visits")),
    greeting: textOf(html, "greeting"),
  };
}

/** GETs a page with `client` (bounded in time) and reads its facts. */
export async function getPage(client: CookieClient, path = "/"): Promise<PageFacts> {
  const response = await client.get(path, { signal: AbortSignal.timeout(15_000) });
  return pageFacts(response.status, response.body);
}

/** Logs in through the form (fetching it first, for its CSRF token); returns the response status (303 on success). */
export async function logIn(client: CookieClient, username: string): Promise<number> {
  const form = await client.get("/login", { signal: AbortSignal.timeout(15_000) });
  return (await client.post("/login", { username, _csrf: formCsrfToken(form.body) })).status;
}
