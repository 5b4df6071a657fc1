/**
 * Ctrl-C (SIGINT) or SIGTERM while the CLI works. Node's default is to die
 * at once, which leaves the terminal as the progress bar set it: cursor
 * hidden, line wrap off. Instead, whatever changed the terminal restores it
 * first, and the CLI exits the way shells expect of an interrupted program:
 * 128 + the signal number (130 for Ctrl-C).
 *
 * @module
 */

/** What restores the terminal, registered while it is changed. */
const restorers = new Set<() => void>();

/** Exit codes by signal: 128 + its number, as shells report them. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** Cursor shown, line wrap on: the sequences a progress bar's stop() sends. */
export const TERMINAL_RESET = "\u001b[?25h\u001b[?7h";

/**
 * Registers `restore` to run if the CLI is interrupted; returns the function
 * that unregisters it (call it once the terminal is back to normal).
 *
 * @example
 * ```ts
 * bar.start(1000, 0);
 * const release = onInterrupt(() => bar.stop());
 * try { await work(); } finally { bar.stop(); release(); }
 * ```
 */
export function onInterrupt(restore: () => void): () => void {
  restorers.add(restore);
  return () => void restorers.delete(restore);
}

/**
 * Installs the SIGINT and SIGTERM handlers of the bin: restore the terminal,
 * then exit with 130 (or 143). In-flight Redis commands are abandoned; each
 * Tessera command is atomic on its own, so a revoke cut short has revoked
 * some sessions wholly and the rest not at all.
 *
 * @example
 * ```ts
 * exitOnInterrupt();
 * process.exitCode = await run(process.argv, io);
 * ```
 */
export function exitOnInterrupt(): void {
  for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
    process.once(signal, () => {
      for (const restore of restorers) {
        try {
          restore();
        } catch {
          // the terminal may be gone; exit anyway
        }
      }
      process.exit(code);
    });
  }
}
