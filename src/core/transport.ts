import { SessionConfigError } from "./errors.js";

/**
 * Where a session token travels between client and server:
 * - `"cookie"` (the default): the session cookie, set and renewed with `Set-Cookie`.
 * - `"bearer"`: `Authorization: Bearer <token>` (RFC 6750), for API, CLI and mobile clients.
 * - `{ header: "x-session-token" }`: a header of the app's choosing carrying the token alone.
 *
 * A header client gets its token from the app at login (`session.takeIssuedToken()`
 * after the commit) and never a cookie. See docs/header-tokens.md.
 *
 * @example
 * ```ts
 * const transport: TokenTransport[] = ["bearer", "cookie"]; // header clients and browsers, one manager
 * ```
 */
export type TokenTransport = "cookie" | "bearer" | { readonly header: string };

/** A transport after validation: the cookie, or one request header (lower-cased name). */
export type ResolvedTransport = { readonly kind: "cookie" } | { readonly kind: "header"; readonly name: string; readonly bearer: boolean };

/** Response header telling a header client its session's new expiry (an HTTP-date), since it has no cookie to update. */
export const SESSION_EXPIRES_HEADER = "tessera-session-expires";
/**
 * Response header carrying a header client's new token when the app did not
 * take it with `session.takeIssuedToken()` (a regenerate outside a login
 * route, a token re-signed after a secret rotation): the client must store
 * it, or it is logged out when the old one dies.
 */
export const SESSION_TOKEN_HEADER = "tessera-session-token";

/**
 * Longest header token value read: a Tessera token is 43 characters, 87
 * signed. Longer values are refused before any parsing or hashing.
 */
const MAX_HEADER_TOKEN_LENGTH = 256;
// RFC 9110 token characters: what a header name may contain.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Request headers a token must not be read from: the cookie transport owns Cookie, and the rest carry other things. */
const RESERVED_HEADERS: ReadonlySet<string> = new Set(["cookie", "host", "content-type", "content-length", "origin", "referer"]);

const COOKIE: ResolvedTransport = Object.freeze({ kind: "cookie" });
/** The default: the cookie alone. */
export const COOKIE_ONLY: readonly ResolvedTransport[] = Object.freeze([COOKIE]);

/**
 * Checks the manager's `transport` option: one transport or an ordered list
 * (the first one whose credential a request carries decides).
 *
 * @throws SessionConfigError naming what is wrong and how to write it.
 *
 * @example
 * ```ts
 * resolveTransports(["bearer", "cookie"]); // [{ kind: "header", name: "authorization", bearer: true }, { kind: "cookie" }]
 * ```
 */
export function resolveTransports(value: unknown): readonly ResolvedTransport[] {
  if (value === undefined) return COOKIE_ONLY;
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new SessionConfigError('transport must name at least one of "cookie", "bearer" or { header: "x-session-token" }.');
  const resolved = list.map(resolveTransport);
  const names = resolved.map((t) => (t.kind === "cookie" ? "cookie" : t.name));
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new SessionConfigError(`transport lists "${repeated}" twice.`);
  return resolved.length === 1 && resolved[0]!.kind === "cookie" ? COOKIE_ONLY : Object.freeze(resolved);
}

function resolveTransport(value: unknown): ResolvedTransport {
  if (value === "cookie") return COOKIE;
  if (value === "bearer") return { kind: "header", name: "authorization", bearer: true };
  const header = (value as { header?: unknown } | null)?.header;
  if (typeof value === "object" && value !== null && typeof header === "string" && HEADER_NAME.test(header)) {
    const name = header.toLowerCase();
    if (name === "authorization") return { kind: "header", name, bearer: true };
    if (RESERVED_HEADERS.has(name)) throw new SessionConfigError(`transport header "${header}" is not one a token can travel in; pick your own, e.g. "x-session-token".`);
    return { kind: "header", name, bearer: false };
  }
  throw new SessionConfigError(`transport ${JSON.stringify(value)} is not "cookie", "bearer" or { header: "x-session-token" }.`);
}

/**
 * The request headers an adapter hands to `load`: Node's lower-cased
 * header object, or a lookup by lower-case name (Hono, fetch `Headers`).
 */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>> | ((lowerCaseName: string) => string | null | undefined);

/**
 * A header transport's token as the request carries it: `undefined` when the
 * transport's credential is absent (no header, or `Authorization` with
 * another scheme: not ours, so the next transport may decide), `""` when it
 * is present but cannot be a token (repeated, oversized, junk after
 * `Bearer`): that request is anonymous and costs no store call. Never throws.
 *
 * @example
 * ```ts
 * headerToken({ kind: "header", name: "authorization", bearer: true }, { authorization: "Bearer abc" }); // "abc"
 * headerToken({ kind: "header", name: "authorization", bearer: true }, { authorization: "Basic abc" }); // undefined
 * ```
 */
export function headerToken(transport: ResolvedTransport & { kind: "header" }, headers: RequestHeaders | undefined): string | undefined {
  if (headers === undefined) return undefined;
  const raw = typeof headers === "function" ? headers(transport.name) : headers[transport.name];
  if (raw === undefined || raw === null || raw === "") return undefined;
  // Several values (a repeated header) name no one token: present, and refused.
  if (typeof raw !== "string" || raw.length > MAX_HEADER_TOKEN_LENGTH + 16) return "";
  if (!transport.bearer) return raw.trim();
  // RFC 6750 / 9110: the scheme is case-insensitive, then one or more spaces.
  const space = raw.indexOf(" ");
  if (space === -1 || raw.slice(0, space).toLowerCase() !== "bearer") return raw.toLowerCase() === "bearer" ? "" : undefined;
  const value = raw.slice(space + 1).trim();
  return value.includes(" ") ? "" : value;
}
