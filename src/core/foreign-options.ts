/**
 * Fix-it errors for options of express-session (and its look-alikes,
 * @fastify/session and koa-session) passed to `createSessionManager`: an
 * app being ported keeps its old option object at first, and "Unknown
 * option" would not say what replaces each one or why it is not needed.
 */
import { SessionConfigError } from "./errors.js";

const MIGRATING = "See docs/migrating.md (https://github.com/tessera-session/tessera/blob/main/docs/migrating.md).";

/** express-session's top-level option names, each with what to do instead. */
const TOP_LEVEL: Readonly<Record<string, string>> = {
  secret:
    'express-session\'s "secret" is Tessera\'s "secrets": an array whose first entry signs and whose others still verify, each at least 32 bytes (`npx tessera-session secret`). To keep the old cookies working during the switch, pass the old secret to fromExpressSession({ secret }) in the "migrate" option.',
  resave:
    'express-session\'s "resave" is not needed: Tessera writes only the keys that changed, and an unchanged session only has its expiry refreshed, at most once per renewIntervalSeconds. Remove it.',
  saveUninitialized:
    'express-session\'s "saveUninitialized" is not needed: Tessera never stores an empty new session and sets no cookie for it (the behaviour of saveUninitialized: false). Remove it.',
  rolling:
    'express-session\'s "rolling" is not needed: activity always pushes the expiry forward (idleTimeoutSeconds), and the cookie follows it, at most once per renewIntervalSeconds. Remove it; use absoluteTimeoutSeconds to cap a session\'s life.',
  name: 'express-session\'s "name" is Tessera\'s "cookie.name" (default "tessera"). The old cookie name goes to fromExpressSession({ cookieName }) in the "migrate" option.',
  genid:
    'express-session\'s "genid" has no equivalent: a Tessera token is always 256 bits from the OS CSPRNG, and the store id is derived from it, so ids cannot be chosen. Remove it.',
  unset:
    'express-session\'s "unset" is not needed: `await session.destroy()` deletes the session and clears the cookie, and `session.data = {}` empties it. Remove it.',
  proxy:
    'express-session\'s "proxy" belongs to the adapter: Tessera\'s cookie.secure "auto" follows the framework\'s trust proxy setting (Express `app.set("trust proxy", ...)`). Remove it.',
};

/** express-session's `cookie` option names that Tessera spells differently. */
const COOKIE: Readonly<Record<string, string>> = {
  maxAge:
    'express-session\'s "cookie.maxAge" (milliseconds) is Tessera\'s "idleTimeoutSeconds" (seconds): the cookie and the store record then expire together. Use absoluteTimeoutSeconds for a cap that activity does not extend.',
  expires:
    'express-session\'s "cookie.expires" is not needed: the cookie\'s expiry always equals the session\'s (idleTimeoutSeconds, absoluteTimeoutSeconds); cookie.persistent: false makes a browser-session cookie.',
};

/** A store written for express-session (connect), @fastify/session or koa-session: get/set/destroy, not Tessera's load/write/destroy. */
function isForeignStore(store: unknown): boolean {
  if (store === null || typeof store !== "object") return false;
  const s = store as Record<string, unknown>;
  return typeof s.get === "function" && typeof s.set === "function" && typeof s.destroy === "function" && typeof s.write !== "function";
}

/**
 * Throws a {@link SessionConfigError} that says what replaces an
 * express-session option given to `createSessionManager`, or why it is not
 * needed; does nothing for options that are not such.
 *
 * @example
 * ```ts
 * rejectForeignOptions({ resave: false }); // throws: Unknown option "resave". express-session's "resave" is not needed: ...
 * ```
 */
export function rejectForeignOptions(options: object): void {
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    const fix = Object.hasOwn(TOP_LEVEL, key) ? TOP_LEVEL[key] : undefined;
    if (fix !== undefined) throw new SessionConfigError(`Unknown option "${key}". ${fix} ${MIGRATING}`);
  }
  const cookie = given.cookie;
  if (cookie !== null && typeof cookie === "object") {
    for (const key of Object.keys(cookie)) {
      const fix = Object.hasOwn(COOKIE, key) ? COOKIE[key] : undefined;
      if (fix !== undefined) throw new SessionConfigError(`Unknown option cookie."${key}". ${fix} ${MIGRATING}`);
    }
  }
  if (isForeignStore(given.store)) {
    throw new SessionConfigError(
      `store is a connect-style store (express-session, @fastify/session or koa-session: get/set/destroy with callbacks), which Tessera cannot use: its records are whole JSON blobs. Pass redisStore({ client }) from "tessera-session/redis" on the same Redis, and move the live sessions over with migrate: fromExpressSession({ client, prefix, secret, cookieName }) from "tessera-session/migrate". ${MIGRATING}`,
    );
  }
}
