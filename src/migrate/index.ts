/**
 * Moving live sessions from express-session, @fastify/session or
 * koa-session to Tessera with nobody logged out: pass one of these as
 * `createSessionManager`'s `migrate` option. See docs/migrating.md.
 *
 * @module
 */
export { fromExpressSession } from "./express-session.js";
export { fromFastifySession, type FastifySessionMigrateOptions } from "./fastify-session.js";
export { fromKoaSession, type KoaSessionMigrateOptions } from "./koa-session.js";
export { LegacySessionError, type MigrateOptions } from "./source.js";
export type { LegacySecret } from "./signatures.js";
export type { LegacyRedisClient } from "./redis.js";
export type { LegacySessionSource, LegacyRecord, LegacyRead } from "../core/migration.js";
