import type { Clock } from "./clock.js";
import { systemClock } from "./clock.js";
import { SessionConfigError } from "./errors.js";
import { rejectForeignOptions } from "./foreign-options.js";
import { knownKeys } from "./known-keys.js";
import type { LegacySessionSource } from "./migration.js";
import type { SessionStore } from "./store.js";
import type { ExpiryPolicy } from "./expiry.js";
import { resolveEventHooks, type HookErrorHandler, type SessionEventHooks, type SessionEvents } from "./lifecycle-events.js";
import { resolveTelemetry, type ResolvedTelemetry, type TelemetryOptions } from "./telemetry.js";
import { resolveTransports, type ResolvedTransport, type TokenTransport } from "./transport.js";

/** Cookie settings. The defaults are the secure ones. */
export interface CookieOptions {
  /** Cookie name. Default `"tessera"`. A `__Host-` name requires `secure: true`, path `/` and no domain. */
  name?: string;
  /** Domain attribute. Default: none (host-only cookie, the safest). */
  domain?: string;
  /** Path attribute. Default `"/"`. */
  path?: string;
  /** SameSite attribute. Default `"lax"`. `"none"` requires `secure: true`. */
  sameSite?: "lax" | "strict" | "none";
  /**
   * Secure attribute. `"auto"` (default) sets it when the request came over
   * HTTPS, directly or through a proxy the framework trusts.
   */
  secure?: boolean | "auto";
  /** HttpOnly attribute. Default `true`: page scripts cannot read the token. */
  httpOnly?: boolean;
  /** Partitioned attribute (CHIPS). Default `false`. */
  partitioned?: boolean;
  /**
   * `true` (default): the cookie carries Expires/Max-Age equal to the
   * session's expiry in the store, so the two never drift apart. `false`:
   * a browser-session cookie, gone when the browser closes.
   */
  persistent?: boolean;
}

/**
 * What a request gets when its session cannot be loaded because the store
 * is down, failing or slower than `storeTimeoutMs`:
 * - `"fail"` (default): `load` throws `SessionStoreError` (status 503) and
 *   the framework's error handling answers. Right for any route that needs
 *   to know who the user is.
 * - `"anonymous"`: the request goes on with an empty session marked
 *   `session.unavailable === true`. It is never written back (its changes
 *   are discarded, `regenerate()` and `destroy()` throw the store error) and
 *   the response never touches the cookie, so the user is not logged out:
 *   their next request, once the store is back, finds the session intact.
 *   For routes that can live without a session (home page, public pages).
 *
 * @example
 * ```ts
 * createSessionManager({ store, storeOutage: "anonymous" });
 * ```
 */
export type StoreOutagePolicy = "fail" | "anonymous";

/**
 * Options of {@link createSessionManager}. Unknown options are rejected, so
 * a typo never silently falls back to a default.
 */
export interface SessionManagerOptions {
  /** Where sessions live: `redisStore(...)` or `memoryStore()`. Required. */
  store: SessionStore;
  /**
   * Secrets that sign the cookie (HMAC-SHA256), each at least 32 bytes. The
   * first signs; all verify, so old secrets can be kept during rotation.
   * Optional: the token is unguessable either way, signing lets forged
   * cookies be rejected without a store round trip.
   */
  secrets?: ReadonlyArray<string | undefined>;
  /** Idle timeout: a session unused this long expires. Default 1800 (30 minutes). */
  idleTimeoutSeconds?: number;
  /**
   * Absolute timeout: a session expires this long after it was created, however
   * active. Never extended, not even by `regenerate()`. Default 86400 (24 hours);
   * `false` disables it.
   */
  absoluteTimeoutSeconds?: number | false;
  /**
   * A session's expiry (and with it the cookie's) is pushed forward at most
   * once per this interval, by reads and writes alike, inside the request's
   * one load command. Default: a tenth of the idle timeout, at most 60 seconds.
   */
  renewIntervalSeconds?: number;
  /**
   * The longest idle timeout one session may be given with
   * `session.setExpiry` ("keep me signed in"). Default: `idleTimeoutSeconds`,
   * so sessions can be made shorter, never longer, until you raise it.
   * Sessions stored with a longer one are cut to it at their next request.
   *
   * @example `maxIdleTimeoutSeconds: 30 * 24 * 3600` // remember-me for 30 days of inactivity
   */
  maxIdleTimeoutSeconds?: number;
  /**
   * The longest absolute timeout one session may be given with
   * `session.setExpiry`; `false` lets a session have none. Default:
   * `absoluteTimeoutSeconds` (so `false` when that is `false`).
   */
  maxAbsoluteTimeoutSeconds?: number | false;
  /**
   * A regenerate's grace window: for this long after `regenerate()` (or
   * `bindUser()`) rotates the token, requests still carrying the old token
   * (sent before the browser got the new cookie) read the session as it was,
   * read-only (`session.readOnly`): their changes are dropped and their
   * responses leave the cookie alone, instead of logging the user out.
   * Then the old token is dead. Default 0 (off): the old token dies at the
   * rotation, the strict reading of session-fixation advice. At most 60.
   * See docs/lifecycle-expiry.md for the trade-off.
   *
   * @example `regenerateGraceSeconds: 5`
   */
  regenerateGraceSeconds?: number;
  /** Largest serialised session, in bytes. Default 65536. */
  maxSessionBytes?: number;
  /**
   * How long one store operation may take before the request fails with
   * `SessionStoreError`. Default 1500.
   */
  storeTimeoutMs?: number;
  /**
   * What requests get while the store is unreachable: `"fail"` (default,
   * `SessionStoreError`) or `"anonymous"` (an empty session marked
   * `unavailable`, never written back). Adapters can override it per route.
   */
  storeOutage?: StoreOutagePolicy;
  /**
   * At most this many live sessions per user (see `session.bindUser`): a
   * login that would exceed it evicts the user's oldest sessions (by
   * sign-in time), never the one logging in. Default 100
   * ({@link DEFAULT_MAX_SESSIONS_PER_USER}); `false` for no limit. A number
   * needs a store with a per-user index.
   *
   * @example `maxSessionsPerUser: 5`
   */
  maxSessionsPerUser?: number | false;
  /**
   * Whether a request that ends in an unhandled error or a 5xx response
   * still commits its session changes. Default `false`, as in Django: the
   * changes are discarded (data, a pending `regenerate()` and `bindUser()`;
   * nothing is written) and the response carries no new session cookie, so
   * a login that fails half-way never hands out a logged-in cookie with its
   * 500. An error the framework answers with a 4xx (an HTTP error such as
   * Koa's `ctx.throw(401)`) is a deliberate answer and commits. `true`
   * restores committing on every response.
   *
   * @example
   * ```ts
   * createSessionManager({ store, commitOnError: true }); // old behaviour: 5xx responses commit too
   * ```
   */
  commitOnError?: boolean;
  /**
   * Encrypt each session data field at rest (AES-256-GCM) under a key
   * derived from the session's token, which only the browser holds: a Redis
   * dump, replica, backup or `MONITOR` cannot read the data, even with the
   * app's secrets. The `@` metadata stays clear, so listings, expiry and the
   * CLI work as before. Default `false`. Sealed fields are read with the
   * option on or off.
   * - `true`: turning it on needs no logout: fields found in clear are read,
   *   and rewritten sealed at the session's next commit.
   * - `"strict"`: fields found in clear are dropped, so whoever can write to
   *   Redis cannot put data into a session either. Switch from `true` to
   *   `"strict"` once every session has been rewritten: one idle timeout
   *   after turning encryption on.
   *
   * @example
   * ```ts
   * createSessionManager({ store, encryptData: true });
   * ```
   */
  encryptData?: boolean | "strict";
  /**
   * Moves another library's live sessions over on their first request, so
   * that switching to Tessera logs nobody out: a request that carries the
   * old library's cookie (signature verified) and no Tessera cookie gets a
   * Tessera session with the old session's data, Tessera's cookie, and the
   * old cookie cleared. Requests without the old cookie pay nothing. See
   * docs/migrating.md.
   *
   * @example
   * ```ts
   * import { fromExpressSession } from "tessera-session/migrate";
   * createSessionManager({ store, migrate: fromExpressSession({ client, prefix: "sess:", secret: process.env.OLD_SECRET!, cookieName: "connect.sid" }) });
   * ```
   */
  migrate?: LegacySessionSource;
  /**
   * Where the session token travels: `"cookie"` (the default), `"bearer"`
   * (`Authorization: Bearer <token>`), `{ header: "x-session-token" }`, or
   * an ordered list of these. A request is read through the first transport
   * whose credential it carries, and through that one only: with
   * `["bearer", "cookie"]`, a request sending both a bearer token and the
   * cookie is the bearer token's session (an invalid one makes it
   * anonymous; the cookie is then neither read nor cleared). Header clients
   * never get a cookie: see docs/header-tokens.md.
   *
   * @example
   * ```ts
   * createSessionManager({ store, transport: ["cookie", "bearer"] }); // browsers and a mobile app
   * ```
   */
  transport?: TokenTransport | readonly TokenTransport[];
  /** Cookie settings. */
  cookie?: CookieOptions;
  /**
   * Lifecycle hooks: `created`, `regenerated`, `destroyed`, `revoked`,
   * `expired`, each called with a typed payload after the fact, in a later
   * event-loop turn, so it never delays a response. See docs/lifecycle.md
   * for what is delivered where and when.
   *
   * @example
   * ```ts
   * createSessionManager({ store, on: { revoked: ({ id, userId, cause }) => audit.log("revoked", id, userId, cause) } });
   * ```
   */
  on?: SessionEventHooks;
  /** Told of a hook that threw or rejected (the request never is). Default: `console.error`. */
  onHookError?: HookErrorHandler;
  /**
   * OpenTelemetry: `{ meter, tracer }` from `@opentelemetry/api` (an
   * optional peer; Tessera never imports it). A span per store call and the
   * session metrics; nothing recorded without it. See docs/lifecycle.md.
   *
   * @example
   * ```ts
   * createSessionManager({ store, telemetry: { meter: metrics.getMeter("tessera-session"), tracer: trace.getTracer("tessera-session") } });
   * ```
   */
  telemetry?: TelemetryOptions;
  /** Source of the current time. Default: the system clock. Tests pass a fake. */
  clock?: Clock;
}

/** Options after validation, with defaults filled in. */
export interface ResolvedOptions {
  readonly store: SessionStore;
  readonly secrets: readonly string[];
  /** The manager's timeouts, with the caps of a session's own expiry (`maxIdleTimeoutMs`, `maxAbsoluteTimeoutMs`) always set. */
  readonly policy: ExpiryPolicy & { readonly maxIdleTimeoutMs: number; readonly maxAbsoluteTimeoutMs: number };
  /** A regenerate's grace window, ms; 0 = off. */
  readonly regenerateGraceMs: number;
  readonly maxSessionBytes: number;
  readonly storeTimeoutMs: number;
  readonly storeOutage: StoreOutagePolicy;
  /** Undefined when there is no limit (`maxSessionsPerUser: false`, or a store without a per-user index). */
  readonly maxSessionsPerUser: number | undefined;
  /** Failed requests (unhandled error, 5xx) commit too; false: their changes are discarded. */
  readonly commitOnError: boolean;
  /** Seal data fields when writing them (sealed fields are always read). */
  readonly encryptData: boolean;
  /** Read data fields found in clear (false only with `encryptData: "strict"`). */
  readonly clearDataAccepted: boolean;
  readonly cookie: Readonly<Required<Omit<CookieOptions, "domain">>> & { readonly domain: string | undefined };
  /** Where tokens travel, in the order requests are read; the cookie alone by default. */
  readonly transports: readonly ResolvedTransport[];
  readonly clock: Clock;
  /** The old library's sessions to migrate on first request, if any. */
  readonly migrate: LegacySessionSource | undefined;
  /** The lifecycle hooks; undefined without any. */
  readonly events: SessionEvents | undefined;
  /** Metrics and traces; undefined without a meter or tracer. */
  readonly telemetry: ResolvedTelemetry | undefined;
}

const KNOWN_OPTIONS = knownKeys<SessionManagerOptions>({
  store: true,
  secrets: true,
  idleTimeoutSeconds: true,
  absoluteTimeoutSeconds: true,
  renewIntervalSeconds: true,
  maxIdleTimeoutSeconds: true,
  maxAbsoluteTimeoutSeconds: true,
  regenerateGraceSeconds: true,
  maxSessionBytes: true,
  storeTimeoutMs: true,
  storeOutage: true,
  maxSessionsPerUser: true,
  commitOnError: true,
  encryptData: true,
  migrate: true,
  transport: true,
  cookie: true,
  on: true,
  onHookError: true,
  telemetry: true,
  clock: true,
});
const KNOWN_COOKIE_OPTIONS = knownKeys<CookieOptions>({
  name: true, domain: true, path: true, sameSite: true, secure: true, httpOnly: true, partitioned: true, persistent: true,
});

/** Minimum secret length: 256 bits, the HMAC-SHA256 key size. */
const MIN_SECRET_BYTES = 32;
// RFC 6265 token characters: what a cookie name may contain.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function suggest(unknown: string, known: ReadonlySet<string>): string {
  const lower = unknown.toLowerCase();
  const close = [...known].find((k) => k.toLowerCase().startsWith(lower.slice(0, 4)) || lower.startsWith(k.toLowerCase()));
  return close ? ` Did you mean "${close}"?` : ` Known options: ${[...known].join(", ")}.`;
}

function rejectUnknown(given: object, known: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(given)) {
    if (!known.has(key)) throw new SessionConfigError(`Unknown option ${where}"${key}".${suggest(key, known)}`);
  }
}

function positiveNumber(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new SessionConfigError(`${name} must be a positive number, got ${String(value)}.`);
  }
  return value;
}

function resolveSecrets(secrets: SessionManagerOptions["secrets"]): string[] {
  if (secrets === undefined) return [];
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new SessionConfigError("secrets must be a non-empty array of strings (first signs, all verify), or left out.");
  }
  return secrets.map((secret, i) => {
    if (typeof secret !== "string") {
      throw new SessionConfigError(
        `secrets[${i}] is ${secret === undefined ? "undefined" : typeof secret}: is the environment variable that should hold it set? Generate one with \`npx tessera-session secret\` or \`openssl rand -base64 48\`.`,
      );
    }
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      throw new SessionConfigError(
        `secrets[${i}] is ${Buffer.byteLength(secret)} bytes; use at least ${MIN_SECRET_BYTES} random bytes. Generate one with \`openssl rand -base64 48\`.`,
      );
    }
    return secret;
  });
}

function resolveCookie(cookie: CookieOptions = {}): ResolvedOptions["cookie"] {
  rejectUnknown(cookie, KNOWN_COOKIE_OPTIONS, "cookie.");
  const resolved = {
    name: cookie.name ?? "tessera",
    domain: cookie.domain,
    path: cookie.path ?? "/",
    sameSite: cookie.sameSite ?? "lax",
    secure: cookie.secure ?? "auto",
    httpOnly: cookie.httpOnly ?? true,
    partitioned: cookie.partitioned ?? false,
    persistent: cookie.persistent ?? true,
  } as const;
  if (!COOKIE_NAME.test(resolved.name)) {
    throw new SessionConfigError(`cookie.name "${resolved.name}" is not a valid cookie name (letters, digits and !#$%&'*+-.^_\`|~ only).`);
  }
  if (!["lax", "strict", "none"].includes(resolved.sameSite)) {
    throw new SessionConfigError(`cookie.sameSite must be "lax", "strict" or "none", got ${String(resolved.sameSite)}.`);
  }
  if (resolved.sameSite === "none" && resolved.secure !== true) {
    throw new SessionConfigError(
      'cookie.sameSite "none" requires cookie.secure: true (browsers drop SameSite=None cookies without Secure). Serve over HTTPS and set secure: true, or use sameSite "lax".',
    );
  }
  if (resolved.name.startsWith("__Host-") && (resolved.secure !== true || resolved.path !== "/" || resolved.domain !== undefined)) {
    throw new SessionConfigError('A "__Host-" cookie needs cookie.secure: true, cookie.path "/" and no cookie.domain.');
  }
  if (resolved.name.startsWith("__Secure-") && resolved.secure !== true) {
    throw new SessionConfigError('A "__Secure-" cookie needs cookie.secure: true.');
  }
  if (resolved.partitioned && resolved.secure !== true) {
    throw new SessionConfigError("cookie.partitioned requires cookie.secure: true.");
  }
  return resolved;
}

/**
 * Sessions one user may have when `maxSessionsPerUser` is not given. A
 * person has a handful of devices and browsers; 100 leaves room for many
 * more (and for API clients) while bounding what one user costs: without a
 * cap, a script that logs one account in 20,000 times made a 2.3 MB index
 * whose listing took most of a second. It is also the default page size
 * of a listing, so by default one page holds all of a user's sessions.
 */
export const DEFAULT_MAX_SESSIONS_PER_USER = 100;

function resolveMaxSessions(value: unknown, store: SessionStore): number | undefined {
  if (value === false) return undefined;
  // The default applies where sessions can be bound at all.
  if (value === undefined) return store.userIndex ? DEFAULT_MAX_SESSIONS_PER_USER : undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new SessionConfigError(
      `maxSessionsPerUser must be a whole number of at least 1, or false for no limit, got ${String(value)}; leave it out for the default of ${DEFAULT_MAX_SESSIONS_PER_USER}.`,
    );
  }
  if (!store.userIndex) {
    throw new SessionConfigError(
      "maxSessionsPerUser needs a store with a per-user index (redisStore or memoryStore); this store has none.",
    );
  }
  return value;
}

function resolveCommitOnError(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value === "boolean") return value;
  throw new SessionConfigError(
    `commitOnError must be true or false, got ${JSON.stringify(value)}. Leave it out (false) to discard the session changes of requests that end in an unhandled error or a 5xx.`,
  );
}

function resolveEncryptData(value: unknown): Pick<ResolvedOptions, "encryptData" | "clearDataAccepted"> {
  if (value === undefined || value === false) return { encryptData: false, clearDataAccepted: true };
  if (value === true) return { encryptData: true, clearDataAccepted: true };
  if (value === "strict") return { encryptData: true, clearDataAccepted: false };
  throw new SessionConfigError(
    `encryptData must be true, "strict" or false, got ${JSON.stringify(value)}; leave it out to store data fields in clear.`,
  );
}

/**
 * Checks a store outage policy given to the manager or to an adapter.
 *
 * @throws SessionConfigError for anything but "fail" or "anonymous".
 *
 * @example
 * ```ts
 * resolveStoreOutage(undefined); // "fail"
 * ```
 */
export function resolveStoreOutage(value: unknown, where = "storeOutage"): StoreOutagePolicy {
  if (value === undefined) return "fail";
  if (value === "fail" || value === "anonymous") return value;
  throw new SessionConfigError(`${where} must be "fail" or "anonymous", got ${JSON.stringify(value)}.`);
}

/**
 * Validates options and fills in defaults.
 *
 * @throws SessionConfigError with a message that says how to fix the problem.
 */
export function resolveOptions(options: SessionManagerOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") {
    throw new SessionConfigError("createSessionManager needs an options object with at least { store }.");
  }
  rejectForeignOptions(options);
  rejectUnknown(options, KNOWN_OPTIONS, "");
  const store = options.store;
  if (!store || typeof store.load !== "function" || typeof store.write !== "function" || typeof store.destroy !== "function") {
    throw new SessionConfigError('store is required: pass redisStore({ client }) from "tessera-session/redis" or memoryStore() from "tessera-session/memory".');
  }
  const idleSeconds = positiveNumber(options.idleTimeoutSeconds, "idleTimeoutSeconds", 30 * 60);
  const absoluteSeconds =
    options.absoluteTimeoutSeconds === false ? 0 : positiveNumber(options.absoluteTimeoutSeconds, "absoluteTimeoutSeconds", 24 * 3600);
  if (absoluteSeconds > 0 && absoluteSeconds < idleSeconds) {
    throw new SessionConfigError(
      `absoluteTimeoutSeconds (${absoluteSeconds}) is shorter than idleTimeoutSeconds (${idleSeconds}); the idle timeout would never matter. Raise the absolute timeout or lower the idle timeout.`,
    );
  }
  const renewSeconds = positiveNumber(options.renewIntervalSeconds, "renewIntervalSeconds", Math.min(60, idleSeconds / 10));
  if (renewSeconds >= idleSeconds) {
    throw new SessionConfigError(
      `renewIntervalSeconds (${renewSeconds}) must be shorter than idleTimeoutSeconds (${idleSeconds}), or active sessions would expire between renewals.`,
    );
  }
  const maxIdleSeconds = positiveNumber(options.maxIdleTimeoutSeconds, "maxIdleTimeoutSeconds", idleSeconds);
  if (maxIdleSeconds < idleSeconds) {
    throw new SessionConfigError(
      `maxIdleTimeoutSeconds (${maxIdleSeconds}) is shorter than idleTimeoutSeconds (${idleSeconds}): the default would break its own cap. Raise it, or leave it out (it defaults to idleTimeoutSeconds).`,
    );
  }
  const maxAbsoluteSeconds = resolveMaxAbsolute(options.maxAbsoluteTimeoutSeconds, absoluteSeconds);
  return {
    store,
    secrets: resolveSecrets(options.secrets),
    policy: {
      idleTimeoutMs: Math.round(idleSeconds * 1000),
      absoluteTimeoutMs: Math.round(absoluteSeconds * 1000),
      renewIntervalMs: Math.round(renewSeconds * 1000),
      maxIdleTimeoutMs: Math.round(maxIdleSeconds * 1000),
      maxAbsoluteTimeoutMs: Math.round(maxAbsoluteSeconds * 1000),
    },
    regenerateGraceMs: resolveGrace(options.regenerateGraceSeconds),
    maxSessionBytes: positiveNumber(options.maxSessionBytes, "maxSessionBytes", 64 * 1024),
    storeTimeoutMs: positiveNumber(options.storeTimeoutMs, "storeTimeoutMs", 1500),
    storeOutage: resolveStoreOutage(options.storeOutage),
    maxSessionsPerUser: resolveMaxSessions(options.maxSessionsPerUser, store),
    commitOnError: resolveCommitOnError(options.commitOnError),
    ...resolveEncryptData(options.encryptData),
    cookie: resolveCookie(options.cookie),
    transports: resolveTransports(options.transport),
    clock: options.clock ?? systemClock,
    migrate: resolveMigrate(options.migrate),
    events: resolveEventHooks(options.on, options.onHookError),
    telemetry: resolveTelemetry(options.telemetry),
  };
}

/** The cap of a session's own absolute timeout, in seconds; 0 = a session may have none. */
function resolveMaxAbsolute(value: unknown, absoluteSeconds: number): number {
  if (value === undefined) return absoluteSeconds;
  if (value === false) return 0;
  const max = positiveNumber(value, "maxAbsoluteTimeoutSeconds", absoluteSeconds);
  if (absoluteSeconds === 0 || max < absoluteSeconds) {
    throw new SessionConfigError(
      `maxAbsoluteTimeoutSeconds (${max}) is shorter than absoluteTimeoutSeconds (${absoluteSeconds === 0 ? "false: none" : absoluteSeconds}): the default would break its own cap. Raise it, or leave it out (it defaults to absoluteTimeoutSeconds).`,
    );
  }
  return max;
}

/** The longest grace window a regenerate may leave: the old token reads for a few seconds, never for long. */
const MAX_GRACE_SECONDS = 60;

function resolveGrace(value: unknown): number {
  if (value === undefined || value === 0) return 0;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > MAX_GRACE_SECONDS) {
    throw new SessionConfigError(
      `regenerateGraceSeconds must be a number of seconds from 0 (off, the default) to ${MAX_GRACE_SECONDS}, got ${String(value)}. A few seconds cover requests in flight during a login.`,
    );
  }
  return Math.round(value * 1000);
}

function resolveMigrate(value: unknown): LegacySessionSource | undefined {
  if (value === undefined) return undefined;
  const source = value as Partial<LegacySessionSource> | null;
  if (source === null || typeof source !== "object" || typeof source.verifiedId !== "function" || typeof source.read !== "function") {
    throw new SessionConfigError(
      'migrate must be made by fromExpressSession, fromFastifySession or fromKoaSession from "tessera-session/migrate", e.g. migrate: fromExpressSession({ client, prefix: "sess:", secret, cookieName: "connect.sid" }).',
    );
  }
  return source as LegacySessionSource;
}
