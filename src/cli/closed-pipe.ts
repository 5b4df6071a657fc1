/**
 * A reader that goes away (`tessera-session stats --json | head -c 10`, a pager
 * quit early) closes the pipe under the CLI: its next write fails with
 * EPIPE, an 'error' event that Node turns into a crash and a stack trace
 * unless someone listens. Like any Unix tool, the CLI then just stops being
 * heard: output to a closed pipe is dropped, the command still finishes
 * (a revoke is not left half-done) and exits with its own code.
 *
 * @module
 */

/** Errors of a write to a pipe whose reader has gone (the first, then any later write). */
const CLOSED = new Set(["EPIPE", "ERR_STREAM_DESTROYED"]);

/**
 * Makes writes to `stream` after its reader has gone silent no-ops. Any
 * other error on it still fails the run (exit code 1), also without a
 * stack trace: there may be no terminal left to show it on.
 *
 * @example
 * ```ts
 * for (const stream of [process.stdout, process.stderr]) dropWritesOnClosedPipe(stream);
 * ```
 */
export function dropWritesOnClosedPipe(stream: NodeJS.WritableStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (!CLOSED.has(error.code ?? "")) process.exitCode = 1;
  });
}
