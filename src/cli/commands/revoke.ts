import type { CliRedis } from "../connect.js";
import { allUserSessions, cliManager, type CliContext } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { prefixHint } from "../scan.js";
import { sessionJson, sessionsTable } from "./sessions.js";
import { USER_ID_FIELD } from "../../core/record-fields.js";
import { generateToken, sessionIdFromToken } from "../../core/token.js";

/** Options of `tessera-session revoke`. */
export interface RevokeOptions {
  user?: string;
  except?: string;
  dryRun?: boolean;
  yes?: boolean;
}

// Measured rather than hard-coded, so the check follows the library's id length.
const PUBLIC_ID_LENGTH = sessionIdFromToken(generateToken()).length;
const PUBLIC_ID = new RegExp(`^[A-Za-z0-9_-]{${PUBLIC_ID_LENGTH}}$`);
// A raw token (43 characters) or a signed cookie value (token.signature).
const TOKEN_LIKE = /^[A-Za-z0-9_-]{43}(\.[A-Za-z0-9_-]{43})?$/;

function assertPublicId(id: string, what: string): void {
  if (PUBLIC_ID.test(id)) return;
  if (TOKEN_LIKE.test(id)) {
    // Never echo a credential back into a terminal or a log.
    throw new CliError(EXIT.USAGE, `${what} looks like a session token (a cookie value), not a public id; list public ids with \`tessera-session sessions --user <id>\``);
  }
  throw new CliError(EXIT.USAGE, `${what} ${JSON.stringify(id.slice(0, 40))} is not a public session id (${PUBLIC_ID_LENGTH} characters, as \`tessera-session sessions\` lists them)`);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

async function revokeUser(ctx: CliContext, redis: CliRedis, userId: string, options: RevokeOptions): Promise<void> {
  const manager = cliManager(redis);
  const live = await allUserSessions(manager, userId);
  if (options.except !== undefined && !live.some((s) => s.id === options.except)) {
    // A typo in --except must not turn "everywhere else" into "everywhere".
    throw new CliError(EXIT.NOT_FOUND, `--except ${options.except} is not one of user ${JSON.stringify(userId)}'s live sessions; nothing was revoked`);
  }
  const targets = live.filter((s) => s.id !== options.except);
  if (targets.length === 0) {
    const others = options.except === undefined ? "" : " other than --except";
    throw new CliError(EXIT.NOT_FOUND, `no live sessions${others} for user ${JSON.stringify(userId)} under prefix ${JSON.stringify(redis.prefix)}${await prefixHint(redis)}`);
  }
  const what = `${plural(targets.length, "session")} of user ${JSON.stringify(userId)}`;
  if (options.dryRun) {
    if (ctx.json) ctx.outJson({ dryRun: true, userId, wouldRevoke: targets.map(sessionJson) });
    else ctx.out(`would revoke ${what}:`, ...sessionsTable(targets, Date.now()));
    return;
  }
  if (!options.yes) {
    throw new CliError(EXIT.NEEDS_CONFIRMATION, `revoking ${what} needs --yes (or --dry-run to list them); nothing was revoked`);
  }
  const revoked = await manager.revokeUserSessions(userId, { exceptId: options.except });
  if (ctx.json) ctx.outJson({ userId, revoked });
  else ctx.out(`revoked ${plural(revoked.length, "session")} of user ${JSON.stringify(userId)}`);
}

async function revokeOne(ctx: CliContext, redis: CliRedis, id: string, options: RevokeOptions): Promise<void> {
  const [summary] = await redis.bounded(redis.store.userIndex.inspect([id], Date.now()), "the session lookup");
  if (!summary) {
    throw new CliError(EXIT.NOT_FOUND, `no session ${id} under prefix ${JSON.stringify(redis.prefix)}${await prefixHint(redis)}`);
  }
  const userId = summary.fields.get(USER_ID_FIELD);
  const what = `session ${id}${userId === undefined ? " (not bound to a user)" : ` of user ${JSON.stringify(userId)}`}`;
  if (options.dryRun) {
    if (ctx.json) ctx.outJson({ dryRun: true, wouldRevoke: [{ id, userId }] });
    else ctx.out(`would revoke ${what}`);
    return;
  }
  if (!options.yes) throw new CliError(EXIT.NEEDS_CONFIRMATION, `revoking ${what} needs --yes; nothing was revoked`);
  if (!(await cliManager(redis).revokeSession(id))) {
    throw new CliError(EXIT.NOT_FOUND, `session ${id} ended before it could be revoked`);
  }
  if (ctx.json) ctx.outJson({ revoked: [id], userId });
  else ctx.out(`revoked ${what}`);
}

/**
 * `tessera-session revoke <public-id>` or `tessera-session revoke --user <id> [--except <public-id>]`:
 * deletes sessions so they are dead on their next request on every
 * instance. Destructive: needs `--yes`; `--dry-run` shows what would go.
 *
 * @throws CliError USAGE for bad arguments, NOT_FOUND when there is nothing
 *   to revoke, NEEDS_CONFIRMATION without `--yes`.
 */
export async function revokeCommand(ctx: CliContext, publicId: string | undefined, options: RevokeOptions): Promise<void> {
  if ((publicId === undefined) === (options.user === undefined)) {
    throw new CliError(EXIT.USAGE, "give either a public session id or --user <id> (not both)");
  }
  if (options.except !== undefined) {
    if (options.user === undefined) throw new CliError(EXIT.USAGE, "--except only applies with --user");
    assertPublicId(options.except, "--except");
  }
  if (publicId !== undefined) assertPublicId(publicId, "the argument");
  await ctx.withRedis((redis) =>
    options.user !== undefined ? revokeUser(ctx, redis, options.user, options) : revokeOne(ctx, redis, publicId!, options),
  );
}
