/**
 * The Python package's own suite (python/tests, pytest against a real
 * redis-server it starts on a free loopback port), run inside `npm test` so
 * that a Python failure fails the build. Debian's /usr/bin/python3 with
 * python3-flask, python3-redis and python3-pytest (.ci/run installs them
 * when missing); a missing module fails here, loudly, rather than skipping.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { it } from "node:test";
import { REPO_ROOT } from "./support/fleet.js";

const PYTHON = "/usr/bin/python3";
/** Far above the suite's second or two; a hung Redis fails the test instead of the run. */
const TIMEOUT_MS = 120_000;

it("pytest python/ passes", { timeout: TIMEOUT_MS + 5000 }, async () => {
  const child = spawn(PYTHON, ["-m", "pytest", "python/", "-q", "-p", "no:cacheprovider"], {
    cwd: REPO_ROOT,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGTERM"), TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearTimeout(timer);
  assert.equal(code, 0, `pytest failed:\n${output}`);
  assert.match(output, /\d+ passed/, output);
  assert.doesNotMatch(output, /skipped|xfail/, "no Python test may be skipped");
});
