import { CliError, EXIT } from "./errors.js";

/** The URL with its password replaced by `***`, for messages. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

/**
 * The URL to open a plain connection with: a path that is not a database
 * number (a Sentinel's master name) is dropped, or the client would SELECT it.
 *
 * @example
 * ```ts
 * plainConnectionUrl("redis://sentinel:26379/mymaster"); // "redis://sentinel:26379"
 * ```
 */
export function plainConnectionUrl(url: string): string {
  const parsed = new URL(url);
  if (/^\/?(\d+)?$/.test(parsed.pathname)) return url;
  parsed.pathname = "";
  return parsed.toString().replace(/\/$/, "");
}

/** What a `redis://` or `rediss://` URL says. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean;
  /** The path after the host, without its slash: a database number, or (for a Sentinel) a master name. */
  readonly path: string;
}

/**
 * Parses `--redis-url`.
 *
 * @throws CliError USAGE unless it is a redis:// or rediss:// URL.
 *
 * @example
 * ```ts
 * parseRedisUrl("rediss://:s3cret@cache.internal:6380/2"); // { host: "cache.internal", port: 6380, tls: true, path: "2", ... }
 * ```
 */
export function parseRedisUrl(url: string): RedisAddress {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^rediss?:$/.test(parsed.protocol) || parsed.hostname === "") {
    throw new CliError(EXIT.USAGE, `--redis-url must be a redis:// or rediss:// URL, got "${maskUrl(url)}"`);
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: parsed.port === "" ? 6379 : Number(parsed.port),
    username: parsed.username === "" ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === "" ? undefined : decodeURIComponent(parsed.password),
    tls: parsed.protocol === "rediss:",
    path: decodeURIComponent(parsed.pathname.replace(/^\//, "")),
  };
}
