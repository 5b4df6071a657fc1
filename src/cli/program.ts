import { readFileSync } from "node:fs";
import type { Writable } from "node:stream";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { SessionStoreError, TesseraError } from "../core/errors.js";
import { doctorCommand } from "./commands/doctor.js";
import { revokeCommand, type RevokeOptions } from "./commands/revoke.js";
import { secretCommand } from "./commands/secret.js";
import { sessionsCommand } from "./commands/sessions.js";
import { statsCommand } from "./commands/stats.js";
import { CLIENT_NAMES, maskUrl, timedOut, type ClientName } from "./connect.js";
import { cliContext, type CliContext } from "./context.js";
import { CliError, EXIT, type ExitCode } from "./errors.js";
import { terminalSafe } from "./terminal.js";

/** Where a CLI run reads its settings and writes its output. */
export interface CliIO {
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

interface GlobalOptions {
  redisUrl?: string;
  prefix: string;
  json?: boolean;
  timeout: number;
  client?: ClientName;
}

const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
/** Default `--timeout`, in seconds: long enough for a busy Redis, short enough for an operator. */
const DEFAULT_TIMEOUT_SECONDS = 5;

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

function wholeNumber(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed)) throw new InvalidArgumentError("must be a whole number.");
  return parsed;
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(parsed > 0) || parsed > 3600) throw new InvalidArgumentError("must be a number of seconds, above 0 and at most 3600.");
  return parsed;
}

function clientName(value: string): ClientName {
  if (!(CLIENT_NAMES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be ${CLIENT_NAMES.join(" or ")}.`);
  return value as ClientName;
}

/** Text laid out in lines by commander, each line escaped. */
function safeLines(text: string): string {
  return text.split("\n").map(terminalSafe).join("\n");
}

/** One line for stderr from any error, and the exit code it means. */
function explain(error: unknown, redisUrl: string, timeoutMs: number): { message: string; exitCode: ExitCode } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof SessionStoreError) {
    const cause = error.cause instanceof Error ? error.cause.message : "";
    if (error.code === "TESSERA_STORE_TIMEOUT" || /^Command timed out/.test(cause)) {
      // A revoke that timed out may still have happened: say so.
      const { message } = timedOut(maskUrl(redisUrl), error.operation, timeoutMs);
      return { message: `${message}${error.operation === "revoke" ? " The revoke may or may not have been applied." : ""}`, exitCode: EXIT.UNAVAILABLE };
    }
    return { message: `Redis at ${maskUrl(redisUrl)} failed during ${error.operation}${cause ? `: ${cause}` : `: ${error.message}`}`, exitCode: EXIT.UNAVAILABLE };
  }
  if (error instanceof TesseraError) return { message: error.message, exitCode: EXIT.FAILED };
  const message = error instanceof Error ? error.message : String(error);
  // Redis reply errors start with their code; these mean "this Redis will not serve us".
  if (/^(NOAUTH|WRONGPASS|NOPERM|LOADING|MASTERDOWN|READONLY)\b/.test(message)) {
    return { message: `Redis at ${maskUrl(redisUrl)} refused: ${message}`, exitCode: EXIT.UNAVAILABLE };
  }
  return { message, exitCode: EXIT.FAILED };
}

/**
 * Builds the `tessera-session` program. Exposed for tests and for embedding; the
 * bin (`dist/cli/index.js`) calls {@link run}.
 */
function buildProgram(io: CliIO, setContext: (ctx: CliContext) => void): Command {
  const program = new Command("tessera-session");
  const contextOf = (command: Command): CliContext => {
    const options = command.optsWithGlobals<GlobalOptions>();
    const ctx = cliContext({
      json: options.json === true,
      redisUrl: options.redisUrl ?? io.env.REDIS_URL ?? DEFAULT_REDIS_URL,
      prefix: options.prefix,
      timeoutMs: Math.round(options.timeout * 1000),
      client: options.client,
      stdout: io.stdout,
      stderr: io.stderr,
    });
    setContext(ctx);
    return ctx;
  };

  program
    .description("Operate Tessera sessions in Redis: list and revoke a user's sessions, keyspace stats, health checks.")
    .version(version())
    .option("--redis-url <url>", `Redis to use (default: $REDIS_URL, else ${DEFAULT_REDIS_URL})`)
    .option("--prefix <prefix>", "the key prefix the app passes to redisStore", "tessera:")
    .option("--json", "print one JSON document on stdout, for scripts")
    .option("--timeout <seconds>", "the longest to wait for any one answer of Redis (connecting included)", seconds, DEFAULT_TIMEOUT_SECONDS)
    .option("--client <name>", `the Redis client library, when both are installed (${CLIENT_NAMES.join(" or ")}; default: ioredis if installed)`, clientName)
    // Every subcommand's --help lists these too: they go before or after the command.
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      // Commander's newlines are its layout; anything else it quotes (an
      // unknown option, say) is escaped like all the CLI prints.
      writeOut: (text) => void io.stdout.write(safeLines(text)),
      writeErr: (text) => void io.stderr.write(safeLines(text)),
      outputError: (text, write) => write(`tessera: ${text.replace(/^error: /, "")}`),
    })
    .addHelpText(
      "after",
      `
Exit codes: 0 done, 1 failed (or doctor found a problem), 2 bad arguments,
3 nothing found, 4 Redis unreachable, refusing or not answering within --timeout,
5 destructive command without --yes, 130 interrupted (Ctrl-C).`,
    );

  program
    .command("sessions")
    .description("list a user's live sessions (public ids, never tokens)")
    .requiredOption("--user <id>", "the user id the app passed to session.bindUser")
    .action(async (options: { user: string }, command: Command) => sessionsCommand(contextOf(command), options.user));

  program
    .command("revoke")
    .description("revoke one session by public id, or all of a user's sessions (needs --yes)")
    .argument("[public-id]", "a session's public id, as `tessera-session sessions` lists it")
    .option("--user <id>", "revoke this user's sessions")
    .option("--except <public-id>", "with --user: keep this session")
    .option("--dry-run", "show what would be revoked, change nothing")
    .option("--yes", "really revoke")
    .action(async (publicId: string | undefined, options: RevokeOptions, command: Command) =>
      revokeCommand(contextOf(command), publicId, options),
    );

  program
    .command("stats")
    .description("count, memory, TTL distribution and biggest sessions under the prefix (one SCAN)")
    .option("--top <n>", "how many of the biggest sessions to show", wholeNumber, 10)
    .action(async (options: { top: number }, command: Command) => statsCommand(contextOf(command), options));

  program
    .command("doctor")
    .description("check the Redis for eviction that drops live sessions, persistence, keyspace, latency, version")
    .action(async (_options: object, command: Command) => doctorCommand(contextOf(command)));

  program
    .command("secret")
    .description("print a new random secret for the `secrets` option")
    .action((_options: object, command: Command) => secretCommand(contextOf(command)));

  return program;
}

/**
 * Runs the CLI on `argv` (as `process.argv`) and resolves to the exit code.
 * Every error becomes one line on stderr, starting with `tessera:`.
 *
 * @example
 * ```ts
 * process.exitCode = await run(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env });
 * ```
 */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  let ctx: CliContext | undefined;
  const program = buildProgram(io, (c) => (ctx = c));
  try {
    if (argv.length <= 2) {
      program.outputHelp({ error: true });
      return EXIT.USAGE;
    }
    await program.parseAsync([...argv]);
    return EXIT.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the help, the version or the one-line usage error.
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    const { message, exitCode } = explain(error, ctx?.redisUrl ?? DEFAULT_REDIS_URL, ctx?.timeoutMs ?? DEFAULT_TIMEOUT_SECONDS * 1000);
    // Escaped whole: a newline in quoted data shows as \x0a, so an error is always one line.
    io.stderr.write(`tessera: ${terminalSafe(message.trimEnd())}\n`);
    return exitCode;
  }
}
