import type { LegacySessionSource } from "../core/migration.js";
import { firstDottedSignedId, legacySource, type LegacyFormat, type MigrateOptions } from "./source.js";

/**
 * The `cookie` field express-session and @fastify/session keep in each
 * record: their bookkeeping, not the app's data. Its `expires` is when the
 * session would have ended.
 */
export function splitCookieField(record: Record<string, unknown>): { data: Record<string, unknown>; expiresAt: number | undefined } {
  const { cookie, ...data } = record;
  const expires = cookie !== null && typeof cookie === "object" ? (cookie as { expires?: unknown }).expires : undefined;
  const expiresAt = typeof expires === "string" || typeof expires === "number" ? new Date(expires).getTime() : Number.NaN;
  return { data, expiresAt: Number.isFinite(expiresAt) ? expiresAt : undefined };
}

const EXPRESS_SESSION: LegacyFormat = {
  library: "express-session", factory: "fromExpressSession",
  defaultPrefix: "sess:", defaultCookieName: "connect.sid",
  cookieNames: (name) => [name],
  // `s:<sid>.<signature>` (express-session's signed cookie, via cookie-signature).
  verify: (header, name, secrets) => firstDottedSignedId(header, name, "s:", secrets, "sha256"),
  split: splitCookieField,
};

/**
 * Migrates express-session sessions kept in Redis (connect-redis, or any
 * store that keeps `JSON.stringify(session)` under `prefix + sid`): pass the
 * result as `createSessionManager`'s `migrate` option. A request carrying a
 * valid `connect.sid` and no Tessera cookie gets a Tessera session holding
 * the old data (`req.session.x` becomes `req.session.data.x`; the `cookie`
 * field is dropped), Tessera's cookie, and the old cookie cleared; the old
 * record is removed (or kept, with `keep: true`).
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { createSessionManager } from "tessera-session";
 * import { redisStore } from "tessera-session/redis";
 * import { fromExpressSession } from "tessera-session/migrate";
 *
 * const client = createClient({ url: process.env.REDIS_URL });
 * await client.connect();
 * const sessions = createSessionManager({
 *   store: redisStore({ client }),
 *   secrets: [process.env.SESSION_SECRET],
 *   migrate: fromExpressSession({ client, prefix: "sess:", secret: process.env.OLD_SESSION_SECRET!, cookieName: "connect.sid" }),
 * });
 * ```
 */
export function fromExpressSession(options: MigrateOptions): LegacySessionSource {
  return legacySource(EXPRESS_SESSION, options);
}
