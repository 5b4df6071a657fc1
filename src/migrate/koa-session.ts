import { readSessionCookies } from "../core/cookie.js";
import type { LegacySessionSource } from "../core/migration.js";
import { legacySource, type LegacyFormat, type MigrateOptions } from "./source.js";
import { keygripVerifies } from "./signatures.js";

/** Options of {@link fromKoaSession}: the shared ones (`secret` is the app's `app.keys`), plus keygrip's `algorithm`. */
export interface KoaSessionMigrateOptions extends MigrateOptions {
  /** The keygrip HMAC algorithm (default `"sha1"`, as Koa's). */
  algorithm?: string;
}

/** koa-session's bookkeeping in a record: every key starting with `_` (`_expire`, `_maxAge`, `_session`). */
function splitPrivateKeys(record: Record<string, unknown>): { data: Record<string, unknown>; expiresAt: number | undefined } {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!key.startsWith("_")) data[key] = value;
  return { data, expiresAt: typeof record._expire === "number" ? record._expire : undefined };
}

/** A cookie value as the `cookies` module reads it: as sent, quotes removed. */
function unquoted(raw: string): string {
  return raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
}

/**
 * Migrates koa-session sessions kept in an external store on Redis
 * (koa-redis, or any store that keeps the session's JSON under
 * `prefix + externalKey`): pass the result as `createSessionManager`'s
 * `migrate` option. The cookie (`koa.sess` by default) holds the external
 * key, and `koa.sess.sig` signs `koa.sess=<key>` with keygrip under
 * `app.keys` (pass them as `secret`).
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { createSessionManager } from "tessera-session";
 * import { redisStore } from "tessera-session/redis";
 * import { fromKoaSession } from "tessera-session/migrate";
 *
 * const client = new Redis(process.env.REDIS_URL!);
 * const sessions = createSessionManager({
 *   store: redisStore({ client }),
 *   migrate: fromKoaSession({ client, prefix: "", secret: ["old app key"], cookieName: "koa.sess" }),
 * });
 * ```
 */
export function fromKoaSession(options: KoaSessionMigrateOptions): LegacySessionSource {
  const algorithm = options.algorithm ?? "sha1";
  const format: LegacyFormat = {
    library: "koa-session", factory: "fromKoaSession",
    defaultPrefix: "", defaultCookieName: "koa.sess",
    cookieNames: (name) => [name, `${name}.sig`],
    verify(header, name, keys) {
      const signatures = readSessionCookies(header, `${name}.sig`).values.map(unquoted);
      if (signatures.length === 0) return undefined;
      for (const raw of readSessionCookies(header, name).values) {
        const key = unquoted(raw);
        // The `cookies` module signs `name=value` with the value as sent.
        if (signatures.some((signature) => keygripVerifies(`${name}=${key}`, signature, keys, algorithm))) return key;
      }
      return undefined;
    },
    split: splitPrivateKeys,
  };
  return legacySource(format, options);
}
