/**
 * Exit codes of the `tessera-session` CLI. Scripts can branch on them; the message
 * on stderr is for people.
 */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** Failed: an unexpected error, or `doctor` found a problem that can lose sessions. */
  FAILED: 1,
  /** Bad arguments. */
  USAGE: 2,
  /** Nothing found: no such session, user or sessions under the prefix. */
  NOT_FOUND: 3,
  /** Redis unreachable, refusing the connection, or not answering in time. */
  UNAVAILABLE: 4,
  /** A destructive command without `--yes` (nothing was changed). */
  NEEDS_CONFIRMATION: 5,
} as const;

/** An exit code of {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An error the CLI reports as one line on stderr and turns into an exit code.
 *
 * @example
 * ```ts
 * throw new CliError(EXIT.NOT_FOUND, `no session ${id} under prefix "${prefix}"`);
 * ```
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(exitCode: ExitCode, message: string) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}
