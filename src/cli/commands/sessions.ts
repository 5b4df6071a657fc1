import type { UserSession } from "../../core/user-sessions.js";
import { allUserSessions, cliManager, type CliContext } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { humanDuration, printable, relativeTime, table } from "../format.js";
import { prefixHint } from "../scan.js";

/** A listed session as the CLI prints it in JSON: the API's shape, without the request-relative `current`. */
export function sessionJson(session: UserSession): Omit<UserSession, "current"> {
  const { current: _current, ...rest } = session;
  return rest;
}

/** The table of a user's sessions (as lines), shared by `sessions` and `revoke --dry-run`. */
export function sessionsTable(sessions: readonly UserSession[], now: number): string[] {
  return table(
    ["ID", "DEVICE", "IP", "SIGNED IN", "LAST SEEN", "EXPIRES", "LIFETIME"],
    sessions.map((s) => [
      s.id,
      printable(s.label ?? s.userAgent, 40),
      printable(s.ip, 40),
      relativeTime(s.boundAt, now),
      relativeTime(s.lastSeenAt, now),
      relativeTime(s.expiresAt, now),
      lifetime(s),
    ]),
  );
}

/**
 * A session's own expiry as the table shows it: "default" (the app's
 * timeouts), or e.g. "idle 30d, max 90d, persistent" for a remember-me one.
 */
export function lifetime(session: UserSession): string {
  const own = session.ownExpiry;
  if (own === undefined) return "default";
  const max = own.absoluteTimeoutSeconds === false ? "no max" : `max ${humanDuration(own.absoluteTimeoutSeconds * 1000)}`;
  return `idle ${humanDuration(own.idleTimeoutSeconds * 1000)}, ${max}, ${own.persistent ? "persistent" : "browser session"}`;
}

/**
 * `tessera-session sessions --user <id>`: a user's live sessions, as the app's
 * `listUserSessions` sees them (public ids only, never tokens).
 *
 * @throws CliError NOT_FOUND when the user has no live session.
 */
export async function sessionsCommand(ctx: CliContext, userId: string): Promise<void> {
  await ctx.withRedis(async (redis) => {
    const sessions = await allUserSessions(cliManager(redis), userId);
    if (sessions.length === 0) {
      throw new CliError(
        EXIT.NOT_FOUND,
        `no live sessions for user ${JSON.stringify(userId)} under prefix ${JSON.stringify(redis.prefix)}${await prefixHint(redis)}`,
      );
    }
    if (ctx.json) ctx.outJson({ userId, prefix: redis.prefix, sessions: sessions.map(sessionJson) });
    else ctx.out(...sessionsTable(sessions, Date.now()));
  });
}
