/**
 * What the three old libraries share once their cookie is verified: the
 * record read from Redis, its retirement (removed, or kept and marked
 * migrated), the derived Tessera token and the clearing of the old cookie.
 * Each library's module supplies only its cookie verification and its
 * record layout.
 */
import { createHmac } from "node:crypto";
import { stringifySetCookie } from "cookie";
import { readSessionCookies } from "../core/cookie.js";
import type { LegacyRead, LegacyRecord, LegacySessionSource } from "../core/migration.js";
import { sessionIdFromToken } from "../core/token.js";
import { legacyRedis, type LegacyRedisClient } from "./redis.js";
import { secretList, unsignDotted, type LegacySecret } from "./signatures.js";

/**
 * Options every `from…Session` takes. `client`, `prefix`, `secret` and
 * `cookieName` are the old library's: its Redis client (or yours, on the
 * same Redis), its key prefix, its secret(s) and its cookie name.
 */
export interface MigrateOptions {
  /** An ioredis or node-redis client on the Redis that holds the old sessions. */
  client: LegacyRedisClient;
  /** The old store's key prefix (connect-redis: `"sess:"`; koa-redis: none). */
  prefix?: string;
  /** The old library's secret, or its list of secrets (the first signs, all verify). */
  secret: LegacySecret;
  /** The old cookie's name. */
  cookieName?: string;
  /** The old cookie's path, for clearing it. Default `"/"`. */
  cookiePath?: string;
  /** The old cookie's domain, for clearing it, when it had one. */
  cookieDomain?: string;
  /**
   * Keep the old record instead of removing it (for a rollback, or an old
   * app still serving some routes). It is then marked migrated, under
   * `markerPrefix`, for its remaining lifetime, so that the old cookie never
   * migrates twice (after a Tessera logout, say). Default `false`.
   */
  keep?: boolean;
  /**
   * Key of the HMAC that derives a migrated session's Tessera token from the
   * old session id, at least 32 bytes. Default: derived from the first old
   * secret, which must then stay first during the switch (all instances
   * must derive the same token).
   */
  tokenKey?: string;
  /**
   * How long after its migration a session still answers to the old cookie
   * (requests in flight, or sent before the browser stored the new cookie);
   * the old record, unless kept, lives at most this long after the
   * migration began, even if its removal is lost. At least 1. Default 60.
   */
  graceSeconds?: number;
  /** Prefix of the "migrated" markers `keep: true` writes. Default `"tessera:migrated:"`. */
  markerPrefix?: string;
  /** Told about an old record that could not be migrated (left in place). Default: `process.emitWarning`. */
  onError?: (error: Error) => void;
}

/**
 * An old record that could not be migrated: not JSON, not an object, or
 * holding data Tessera cannot store. It is left in place; the request goes
 * on anonymously.
 */
export class LegacySessionError extends Error {
  /** Stable code. */
  readonly code = "TESSERA_MIGRATE_UNREADABLE";
  override readonly name = "LegacySessionError";
}

/** One library's formats, given to {@link legacySource}. */
export interface LegacyFormat {
  readonly library: string;
  /** The factory's name, for messages. */
  readonly factory: string;
  readonly defaultPrefix: string;
  readonly defaultCookieName: string;
  /** Cookie names to clear on the client (koa-session: the cookie and its `.sig`). */
  cookieNames(cookieName: string): readonly string[];
  /** The old session id in a verified cookie of the header, or undefined. Never throws. */
  verify(cookieHeader: string, cookieName: string, secrets: readonly string[]): string | undefined;
  /** Splits a parsed record into data and the old library's own expiry (epoch ms), if it has one. */
  split(record: Record<string, unknown>): { data: Record<string, unknown>; expiresAt: number | undefined };
}

/** Old session ids are short random strings; anything longer is not one (and would make a huge key). */
const MAX_LEGACY_ID_LENGTH = 256;
const DEFAULT_GRACE_SECONDS = 60;
const MIN_TOKEN_KEY_BYTES = 32;

/** Builds the {@link LegacySessionSource} for one library's format and the app's options. */
export function legacySource(format: LegacyFormat, options: MigrateOptions): LegacySessionSource {
  if (options === null || typeof options !== "object") throw new TypeError(`${format.factory} needs { client, prefix, secret, cookieName }.`);
  const secrets = secretList(options.secret, format.library);
  const redis = legacyRedis(options.client);
  const prefix = options.prefix ?? format.defaultPrefix;
  const cookieName = options.cookieName ?? format.defaultCookieName;
  const markerPrefix = options.markerPrefix ?? "tessera:migrated:";
  const keep = options.keep === true;
  const graceSeconds = options.graceSeconds ?? DEFAULT_GRACE_SECONDS;
  // At least a second: the claim cuts the old record's expiry to it, and a
  // zero expiry would delete the record before the migration is done.
  if (typeof graceSeconds !== "number" || !(graceSeconds >= 1) || !Number.isFinite(graceSeconds)) {
    throw new TypeError(`${format.library}: graceSeconds must be a number of seconds, at least 1.`);
  }
  if (options.tokenKey !== undefined && Buffer.byteLength(options.tokenKey) < MIN_TOKEN_KEY_BYTES) {
    throw new TypeError(`${format.library}: tokenKey must be at least ${MIN_TOKEN_KEY_BYTES} bytes.`);
  }
  // Security: the key is secret (the old library's secret, or the app's own
  // key), so a Redis dump's old ids do not give the Tessera tokens.
  const tokenKey = options.tokenKey ?? createHmac("sha256", secrets[0]!).update("tessera/migrate/token-key").digest();
  const report = options.onError ?? ((error: Error) => process.emitWarning(error));
  const tokenFor = (legacyId: string): string =>
    createHmac("sha256", tokenKey).update(`tessera/migrate/v1\0${format.library}\0${prefix}\0${legacyId}`).digest("base64url");
  const markerKey = (legacyId: string): string => markerPrefix + sessionIdFromToken(tokenFor(legacyId));

  const graceMs = graceSeconds * 1000;
  return {
    library: format.library,
    graceMs,
    keepsRecord: keep,
    verifiedId(cookieHeader) {
      if (cookieHeader === undefined || !cookieHeader.includes(cookieName)) return undefined;
      try {
        const id = format.verify(cookieHeader, cookieName, secrets);
        return id !== undefined && id.length > 0 && id.length <= MAX_LEGACY_ID_LENGTH ? id : undefined;
      } catch {
        return undefined;
      }
    },
    tokenFor,
    async read(legacyId, now): Promise<LegacyRead> {
      const key = prefix + legacyId;
      const [{ value, pttlMs }, migrated] = await Promise.all([redis.readWithTtl(key), keep ? redis.exists(markerKey(legacyId)) : false]);
      if (value === null || migrated) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch (error) {
        return { unreadable: new LegacySessionError(`${format.library} record "${key}" is not JSON; left in place.`, { cause: error }) };
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        return { unreadable: new LegacySessionError(`${format.library} record "${key}" is not a JSON object; left in place.`) };
      }
      const { data, expiresAt } = format.split(parsed as Record<string, unknown>);
      const ends = Math.min(pttlMs >= 0 ? now + pttlMs : Infinity, expiresAt ?? Infinity);
      return ends > now ? { data, expiresAt: ends } : undefined;
    },
    async claim(legacyId) {
      if (!keep) await redis.shortenTtl(prefix + legacyId, graceMs);
    },
    async unclaim(legacyId, record, now) {
      if (keep) return;
      const ttlMs = record.expiresAt - now;
      if (ttlMs > 0) await redis.restoreTtl(prefix + legacyId, Number.isFinite(ttlMs) ? ttlMs : undefined);
    },
    async retire(legacyId, record: LegacyRecord, now) {
      if (!keep) return redis.del(prefix + legacyId);
      // The marker outlives the old record as it was when read; an old app
      // that keeps renewing the record keeps that session alive anyway.
      const ttlMs = Number.isFinite(record.expiresAt) ? record.expiresAt - now : 24 * 3600 * 1000;
      if (ttlMs > 0) await redis.setWithTtl(markerKey(legacyId), String(now), ttlMs);
    },
    clearingCookies(requestIsSecure) {
      return format.cookieNames(cookieName).map((name) =>
        stringifySetCookie({
          name,
          value: "",
          path: options.cookiePath ?? "/",
          domain: options.cookieDomain,
          expires: new Date(0),
          httpOnly: true,
          secure: requestIsSecure || undefined,
        }),
      );
    },
    report(error) {
      try {
        report(error);
      } catch {
        // A reporter that throws must not turn a skipped migration into a failed request.
      }
    },
  };
}

/** A cookie value as a browser sent it, percent-decoded the way express-session and @fastify/cookie decode it. */
export function decodedCookieValue(raw: string): string | undefined {
  const unquoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  try {
    return unquoted.includes("%") ? decodeURIComponent(unquoted) : unquoted;
  } catch {
    return undefined;
  }
}

/**
 * The session id of the first cookie named `name` whose value is `prefix`
 * plus a cookie-signature `id.signature` valid for one of `secrets`
 * (express-session's `s:` cookie, @fastify/session's), percent-decoded as
 * sent. The first that verifies wins, so a planted decoy cannot shadow the
 * real cookie.
 *
 * @example
 * ```ts
 * firstDottedSignedId(req.headers.cookie, "connect.sid", "s:", ["keyboard cat"], "sha256");
 * ```
 */
export function firstDottedSignedId(
  header: string | undefined,
  name: string,
  prefix: string,
  secrets: readonly string[],
  algorithm: string,
): string | undefined {
  for (const raw of readSessionCookies(header, name).values) {
    const value = decodedCookieValue(raw);
    if (value === undefined || !value.startsWith(prefix)) continue;
    const id = unsignDotted(value.slice(prefix.length), secrets, algorithm);
    if (id !== undefined) return id;
  }
  return undefined;
}
