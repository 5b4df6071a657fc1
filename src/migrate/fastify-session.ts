import type { LegacySessionSource } from "../core/migration.js";
import { splitCookieField } from "./express-session.js";
import { firstDottedSignedId, legacySource, type LegacyFormat, type MigrateOptions } from "./source.js";

/** Options of {@link fromFastifySession}: the shared ones, plus @fastify/session's `cookiePrefix` and `algorithm`. */
export interface FastifySessionMigrateOptions extends MigrateOptions {
  /** @fastify/session's `cookiePrefix` (default none): text before the signed id in the cookie. */
  cookiePrefix?: string;
  /** @fastify/session's `algorithm` (default `"sha256"`). */
  algorithm?: string;
}

/**
 * Migrates @fastify/session sessions kept in Redis (with connect-redis or
 * another store that keeps the session's JSON under `prefix + sessionId`):
 * pass the result as `createSessionManager`'s `migrate` option. The
 * cookie is `<sessionId>.<signature>` (@fastify/cookie's Signer, HMAC-SHA256
 * by default), named `sessionId` by default.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { createSessionManager } from "tessera-session";
 * import { redisStore } from "tessera-session/redis";
 * import { fromFastifySession } from "tessera-session/migrate";
 *
 * const client = new Redis(process.env.REDIS_URL!);
 * const sessions = createSessionManager({
 *   store: redisStore({ client }),
 *   migrate: fromFastifySession({ client, prefix: "sess:", secret: process.env.OLD_SESSION_SECRET!, cookieName: "sessionId" }),
 * });
 * ```
 */
export function fromFastifySession(options: FastifySessionMigrateOptions): LegacySessionSource {
  const cookiePrefix = options.cookiePrefix ?? "";
  const algorithm = options.algorithm ?? "sha256";
  const format: LegacyFormat = {
    library: "@fastify/session", factory: "fromFastifySession",
    defaultPrefix: "sess:", defaultCookieName: "sessionId",
    cookieNames: (name) => [name],
    verify: (header, name, secrets) => firstDottedSignedId(header, name, cookiePrefix, secrets, algorithm),
    split: splitCookieField,
  };
  return legacySource(format, options);
}
