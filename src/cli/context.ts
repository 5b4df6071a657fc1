import type { Writable } from "node:stream";
import { createSessionManager, type SessionManager } from "../core/manager.js";
import { MAX_LIST_LIMIT, type UserSession } from "../core/user-sessions.js";
import { connect, type ClientName, type CliRedis } from "./connect.js";
import { CliError, EXIT } from "./errors.js";
import { jsonSafe, terminalSafe } from "./terminal.js";

/** What a command needs from the outside world: streams, settings and a way to reach Redis. */
export interface CliContext {
  /** `--json`: print one JSON document on stdout, nothing else. */
  readonly json: boolean;
  readonly redisUrl: string;
  readonly prefix: string;
  /** `--timeout` in ms: the longest any one wait on Redis may take. */
  readonly timeoutMs: number;
  /** `--client`: which Redis client library to use. */
  readonly client: ClientName | undefined;
  readonly stdout: Writable;
  /** Progress bars go here, and only when it is a TTY. */
  readonly stderr: Writable & { isTTY?: boolean };
  /**
   * Prints lines for people, one per argument. Each is escaped whole
   * (terminal.ts): a newline inside one is shown as `\x0a`, not obeyed.
   */
  out(...lines: string[]): void;
  /** Prints a JSON document for scripts (escaped: no raw C1 or bidi controls either). */
  outJson(value: unknown): void;
  /** Connects, runs `work`, and always closes the connection. */
  withRedis<T>(work: (redis: CliRedis) => Promise<T>): Promise<T>;
}

/** Creates the context of one CLI run. */
export function cliContext(options: {
  json: boolean;
  redisUrl: string;
  prefix: string;
  timeoutMs: number;
  client: ClientName | undefined;
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
}): CliContext {
  return {
    ...options,
    out: (...lines) => void options.stdout.write(lines.map((line) => `${terminalSafe(line)}\n`).join("")),
    outJson: (value) => void options.stdout.write(`${jsonSafe(value, (_key, v: unknown) => (v === Infinity ? null : v))}\n`),
    async withRedis(work) {
      const redis = await connect({ url: options.redisUrl, prefix: options.prefix, timeoutMs: options.timeoutMs, client: options.client });
      try {
        return await work(redis);
      } finally {
        await redis.close();
      }
    },
  };
}

/**
 * A session manager over the CLI's connection, for listing and revoking
 * exactly as the app does, each call bounded by `--timeout`.
 */
export function cliManager(redis: CliRedis): SessionManager<object> {
  return createSessionManager<object>({ store: redis.store, storeTimeoutMs: redis.timeoutMs });
}

/** Pages a listing of one user walks at most (1,000 sessions each): far beyond any capped index. */
const MAX_LISTING_PAGES = 100;

/**
 * Every live session of a user, walking the paged listing (a single
 * `listUserSessions` call returns only its first page), most recently seen
 * first within each page. Bounded in pages; each page in `--timeout`.
 *
 * @example
 * ```ts
 * const live = await allUserSessions(cliManager(redis), "user-42");
 * ```
 */
export async function allUserSessions(manager: SessionManager<object>, userId: string): Promise<UserSession[]> {
  const all: UserSession[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LISTING_PAGES; page++) {
    const { sessions, nextCursor } = await manager.listUserSessionPage(userId, { limit: MAX_LIST_LIMIT, cursor });
    all.push(...sessions);
    if (nextCursor === undefined) return all;
    cursor = nextCursor;
  }
  throw new CliError(EXIT.USAGE, `user ${JSON.stringify(userId)} has more than ${MAX_LISTING_PAGES * MAX_LIST_LIMIT} indexed sessions; revoke them from the app`);
}

