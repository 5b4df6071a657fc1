import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built `tessera-session` bin. */
export const BIN = fileURLToPath(new URL("../../dist/cli/index.js", import.meta.url));

/** How a CLI child process ended. */
export interface CliResult {
  code: number | null;
  /** Set when the child was killed by a signal (the test's kill timer included). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  env?: Record<string, string>;
  /** Program and leading arguments; default the built bin under this Node. */
  command?: string;
  argv0?: string[];
  /** Close our end of the child's stdout at once: its writes then meet a closed pipe (EPIPE). */
  closeStdout?: boolean;
  /** Same for stderr. */
  closeStderr?: boolean;
  /** The test's own bound: the child is SIGKILLed after this long. Default 120 s. */
  killAfterMs?: number;
}

/**
 * Runs the CLI as a child process, as an operator's shell would, and
 * collects its output. Only PATH and `env` reach it.
 */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(options.command ?? process.execPath, [...(options.argv0 ?? [BIN]), ...args], {
      env: { PATH: process.env.PATH ?? "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    if (options.closeStdout) child.stdout.destroy();
    else child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    if (options.closeStderr) child.stderr.destroy();
    else child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.killAfterMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** One line on stderr, starting with "tessera:". */
export function assertOneLineError(result: CliResult, pattern: RegExp): void {
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got: ${result.stderr}`);
  assert.match(lines[0]!, /^tessera: /);
  assert.match(lines[0]!, pattern);
}
