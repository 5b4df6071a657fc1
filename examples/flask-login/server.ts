/**
 * The Flask login example as a demo instance: gunicorn serving
 * examples/flask-login/app.py on a free loopback port, announced to the
 * launcher over the same IPC message the Node instances send
 * (examples/shared/instance-protocol.ts). Stops gunicorn, by its pid, when
 * told to stop or when the launcher goes away.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { InstanceReady } from "../shared/instance-protocol.js";

/** Debian's Python, which has python3-flask and python3-redis (not a pyenv build first on PATH). */
const GUNICORN = process.env.GUNICORN ?? "/usr/bin/gunicorn";
const APP_DIR = fileURLToPath(new URL(".", import.meta.url));
/** gunicorn's start-up line, naming the port the kernel chose for port 0. */
const LISTENING = /Listening at: http:\/\/127\.0\.0\.1:(\d+)/;
/** Give up on a start that says nothing for this long. */
const START_TIMEOUT_MS = 30_000;

const instance = `${process.env.INSTANCE_NAME ?? "flask"}`;
const gunicorn = spawn(GUNICORN, ["--bind", `127.0.0.1:${process.env.PORT ?? "0"}`, "--workers", "1", "--threads", "4", "--chdir", APP_DIR, "app:app"], {
  stdio: ["ignore", "inherit", "pipe"],
  env: { ...process.env, INSTANCE_NAME: instance },
});
let stderrText = "";
const timer = setTimeout(() => {
  console.error(`${instance}: gunicorn did not start in ${START_TIMEOUT_MS} ms`);
  stop(1);
}, START_TIMEOUT_MS);
gunicorn.stderr.on("data", (chunk: Buffer) => {
  process.stderr.write(chunk);
  if (stderrText.length < 64 * 1024) stderrText += chunk.toString();
  const match = LISTENING.exec(stderrText);
  if (match && timer.hasRef()) {
    clearTimeout(timer);
    timer.unref();
    const ready: InstanceReady = { type: "ready", port: Number(match[1]), pid: process.pid, instance: `${instance} · gunicorn` };
    process.send?.(ready);
  }
});
gunicorn.once("exit", (code, signal) => {
  clearTimeout(timer);
  process.exit(code ?? (signal ? 1 : 0));
});

function stop(code = 0): void {
  if (gunicorn.exitCode === null && gunicorn.signalCode === null && gunicorn.pid !== undefined) process.kill(gunicorn.pid, "SIGTERM");
  setTimeout(() => process.exit(code), 5000).unref();
}
process.once("SIGINT", () => stop());
process.once("SIGTERM", () => stop());
process.once("disconnect", () => stop());
