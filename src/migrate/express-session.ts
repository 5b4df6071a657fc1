import { readSessionCookies } from "../core/cookie.js";
import type { LegacySessionSource } from "../core/migration.js";
import { decodedCookieValue, legacySource, type LegacyFormat, type MigrateOptions } from "./source.js";
import { unsignDotted } from "./signatures.js";

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
  library: "express-session",
  factory: "fromExpressSession",
  defaultPrefix: "sess:",
  defaultCookieName: "connect.sid",
  cookieNames: (name) => [name],
  verify(header, name, secrets) {
    // `s:<sid>.<signature>`, percent-encoded in the header (express-session's
    // signed cookie, via cookie-signature); the first one that verifies wins,
    // so a planted decoy cannot shadow the real cookie.
    for (const raw of readSessionCookies(header, name).values) {
      const value = decodedCookieValue(raw);
      if (value === undefined || !value.startsWith("s:")) continue;
      const sid = unsignDotted(value.slice(2), secrets);
      if (sid !== undefined) return sid;
    }
    return undefined;
  },
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
