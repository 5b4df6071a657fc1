// Settings every benchmark app shares, from the harness (bench/run.ts).
// Apps are plain JavaScript run by plain `node`, like production code: no
// loader hooks in the measured process, and the anchors' own typings (which
// declare `req.session` differently from Tessera's) stay out of the project's
// type-check.
import process from "node:process";
import { URL } from "node:url";

/** redis://127.0.0.1:PORT of the harness's own redis-server. */
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
/** Key prefix of this app, so apps sharing the server never collide. */
export const PREFIX = process.env.BENCH_PREFIX ?? "bench:";
/** One signing secret for every library (each wants at least 32 characters). */
export const SECRET = "bench-secret-0123456789abcdef-0123456789abcdef";
/** Idle lifetime of a session, the same for every library: 30 minutes. */
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;

/** The host and port of REDIS_URL, for clients that take them apart. */
export function redisAddress() {
  const url = new URL(REDIS_URL);
  return { host: url.hostname, port: Number(url.port) };
}

/**
 * Tells the harness the app is listening (one JSON line on stdout) and exits
 * cleanly on SIGTERM, so `--cpu-prof` profiles get written.
 *
 * @param {import("node:net").Server} server
 */
export function announce(server) {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ ready: true, port })}\n`);
  process.once("SIGTERM", () => {
    server.close();
    process.exit(0);
  });
}
