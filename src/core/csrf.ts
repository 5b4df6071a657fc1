/**
 * CSRF protection, the rules: which requests are checked, what they must
 * show, and the typed error they get otherwise. Framework-free; each adapter
 * has a small helper (`expressCsrf`, `fastifyCsrf`, `koaCsrf`, `honoCsrf`,
 * `nodeCsrf`) that gathers a {@link CsrfRequest} in its framework's idiom
 * and delivers a {@link CsrfError} on its framework's error path.
 *
 * The pattern is Django's, Rails' and Laravel's synchronizer token: a
 * secret kept in the session (on the server), a copy of it in every form
 * or in a request header, compared in constant time. A browser attaches the
 * session cookie to a forged cross-site POST, but the forging page cannot
 * read the victim's pages, so it cannot know the token. Before the token,
 * the browser's own word is checked (`Sec-Fetch-Site`, else `Origin`), which
 * stops cross-site requests early with a precise reason.
 *
 * Why a stored secret rather than one derived from the session token by an
 * HMAC (which would need no storage and rotate with the token by itself):
 * a new session has no token until its commit, after the page with the
 * form is rendered, and an anonymous form (the login form) must become a
 * stored session anyway so that the POST finds it; the derivation would
 * also need a server key, which `secrets` leaves optional, and would tie
 * every page's token to the cookie's credential. The secret costs 43 bytes
 * in sessions that showed a form, and one field in the write that creates
 * or regenerates them: nothing on other requests.
 *
 * Not checked here, by design: requests read through a header transport
 * (`Authorization: Bearer`, a named header; see the manager's `transport`)
 * that carry no session cookie. A browser never adds such a header to a
 * cross-site request on its own, so they need no CSRF check, and their
 * responses never set a cookie; {@link verifyCsrf} is the one place that
 * returns early for them. A request that carries the session cookie is
 * checked whatever else it carries.
 */
import { csrfTokenMatches, maskCsrfSecret } from "./csrf-token.js";
import { SessionConfigError, TesseraError } from "./errors.js";
import { knownKeys } from "./known-keys.js";
import { SessionHandle } from "./session-handle.js";
import type { Session } from "./session.js";

/** Why a request failed the CSRF check; stable, for logs and branching. */
export type CsrfFailure =
  /** `Sec-Fetch-Site` says another site (or an unknown value) sent it. */
  | "cross-site"
  /** No `Sec-Fetch-Site`, and `Origin` is neither the app's nor an allowed one. */
  | "origin-mismatch"
  /** No token in the form field nor in the header. */
  | "missing-token"
  /** A token that this session did not issue (a stale page, another session's, forged). */
  | "invalid-token";

/**
 * A state-changing request failed the CSRF check. It is refused before the
 * route runs, so nothing changed. `status` is 403; each adapter's helper
 * puts the error on its framework's error path (Hono: an `HTTPException`
 * whose `cause` is this error).
 *
 * @example
 * ```ts
 * app.use((err, req, res, next) => {
 *   if (err instanceof CsrfError) return res.status(403).send("This form has expired; reload the page.");
 *   next(err);
 * });
 * ```
 */
export class CsrfError extends TesseraError {
  /** HTTP status that fits this error; adapters and frameworks use it. */
  readonly status = 403;
  /** Which rule refused the request. */
  readonly reason: CsrfFailure;

  constructor(reason: CsrfFailure, message: string) {
    super("TESSERA_CSRF", message);
    this.reason = reason;
  }
}

/**
 * Options of every adapter's CSRF helper. Unknown options are rejected.
 *
 * @example
 * ```ts
 * app.use(expressCsrf({ allowedOrigins: ["https://admin.example.com"], headerName: "x-xsrf-token" }));
 * ```
 */
export interface CsrfOptions {
  /** Form field that carries the token. Default `"_csrf"`. */
  fieldName?: string;
  /** Request header that carries the token (for `fetch` and XHR). Default `"x-csrf-token"`. */
  headerName?: string;
  /**
   * Other origins whose pages may send unsafe requests, exactly as browsers
   * write them in `Origin` (`"https://admin.example.com"`: scheme, host,
   * port if not the default; no path). The app's own origin is always
   * allowed. The token is required all the same.
   */
  allowedOrigins?: readonly string[];
  /**
   * Accept `Sec-Fetch-Site: same-site` (a sibling subdomain) and not only
   * `same-origin`. Default `false`: a sibling subdomain is often someone
   * else's (user content, a hosted blog). The token is required all the same.
   */
  allowSameSite?: boolean;
}

/** {@link CsrfOptions} after validation, with defaults filled in. */
export interface ResolvedCsrfOptions {
  readonly fieldName: string;
  /** Lower case. */
  readonly headerName: string;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly allowSameSite: boolean;
}

/**
 * What the check needs of one request, gathered by an adapter. The app's
 * own origin is the scheme and host the request reached the app with, as
 * the framework reports them: behind a proxy, only the framework's trusted
 * proxy settings make them the public ones.
 */
export interface CsrfRequest {
  /** The HTTP method. */
  readonly method: string;
  /** The `Sec-Fetch-Site` request header, if any. */
  readonly secFetchSite: string | undefined;
  /** The `Origin` request header, if any. */
  readonly origin: string | undefined;
  /** `"http"` or `"https"`, as the framework sees it (trusted proxies included). */
  readonly protocol: string;
  /** The `Host` the framework sees (trusted proxies included), port and all. */
  readonly host: string | undefined;
  /** The form field's value from the parsed body, when the framework parsed one. */
  readonly formToken: unknown;
  /** The token header's value. */
  readonly headerToken: string | undefined;
}

const KNOWN_OPTIONS = knownKeys<CsrfOptions>({ fieldName: true, headerName: true, allowedOrigins: true, allowSameSite: true });
// RFC 9110 token characters: what a header name may contain.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A Host (or X-Forwarded-Host) value: a name or address and an optional port, nothing that would move the URL parser elsewhere. */
const HOST = /^[A-Za-z0-9.\-_~:[\]]+$/;
/** Methods that must not change anything (RFC 9110 "safe"): never checked. */
const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

/**
 * Validates CSRF options and fills in defaults. Adapters call it when the
 * helper is created, so a mistake fails at start-up.
 *
 * @throws SessionConfigError with a message that says how to fix the problem.
 *
 * @example
 * ```ts
 * resolveCsrfOptions({ allowedOrigins: ["https://example.com/"] }); // throws: no trailing slash
 * ```
 */
export function resolveCsrfOptions(options: CsrfOptions = {}): ResolvedCsrfOptions {
  if (options === null || typeof options !== "object") throw new SessionConfigError("CSRF options must be an object.");
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new SessionConfigError(`Unknown CSRF option "${key}". Known options: ${[...KNOWN_OPTIONS].join(", ")}.`);
    }
  }
  const fieldName = options.fieldName ?? "_csrf";
  if (typeof fieldName !== "string" || fieldName.length === 0) throw new SessionConfigError("CSRF fieldName must be a non-empty string.");
  const headerName = options.headerName ?? "x-csrf-token";
  if (typeof headerName !== "string" || !HEADER_NAME.test(headerName)) {
    throw new SessionConfigError(`CSRF headerName ${JSON.stringify(headerName)} is not a valid header name.`);
  }
  const allowSameSite = options.allowSameSite ?? false;
  if (typeof allowSameSite !== "boolean") throw new SessionConfigError("CSRF allowSameSite must be true or false.");
  const allowed = options.allowedOrigins ?? [];
  if (!Array.isArray(allowed)) throw new SessionConfigError('CSRF allowedOrigins must be an array of origins, e.g. ["https://admin.example.com"].');
  return { fieldName, headerName: headerName.toLowerCase(), allowedOrigins: new Set(allowed.map(canonicalOrigin)), allowSameSite };
}

/** An allowed origin exactly as a browser writes it in `Origin`, or a config error saying what that would be. */
function canonicalOrigin(value: unknown): string {
  let origin: string | undefined;
  try {
    origin = typeof value === "string" ? new URL(value).origin : undefined;
  } catch {
    origin = undefined;
  }
  if (origin === undefined || origin === "null") {
    throw new SessionConfigError(`CSRF allowedOrigins: ${JSON.stringify(value)} is not an origin like "https://admin.example.com".`);
  }
  // Browsers compare nothing else: a path or trailing slash would never match.
  if (origin !== value) throw new SessionConfigError(`CSRF allowedOrigins: write ${JSON.stringify(value)} as "${origin}" (scheme, host and port only).`);
  return origin;
}

/**
 * Whether a method is checked: every method but GET, HEAD, OPTIONS and
 * TRACE, which must not change anything (and so need no protection).
 *
 * @example
 * ```ts
 * isCsrfCheckedMethod("GET"); // false
 * isCsrfCheckedMethod("DELETE"); // true
 * ```
 */
export function isCsrfCheckedMethod(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** The app's origin as this request reached it, or undefined when the host is missing or malformed. */
function appOrigin(protocol: string, host: string | undefined): string | undefined {
  if (host === undefined || !HOST.test(host) || (protocol !== "http" && protocol !== "https")) return undefined;
  try {
    return new URL(`${protocol}://${host}`).origin; // lower-cases the host, drops a default port, as browsers do
  } catch {
    return undefined;
  }
}

/**
 * The browser's word on where the request came from. `Sec-Fetch-Site`
 * (sent by every current browser, and not settable by page scripts) is
 * trusted first; without it, `Origin`. A request with neither comes from an
 * old browser or is not from a browser at all: it is let through here, and
 * the token, required of every request, decides.
 */
function sourceFailure(request: CsrfRequest, options: ResolvedCsrfOptions): CsrfError | undefined {
  const { secFetchSite: site, origin } = request;
  if (origin !== undefined && options.allowedOrigins.has(origin)) return undefined;
  if (site !== undefined) {
    // "none": the user typed the URL or used a bookmark, which no other site can cause.
    if (site === "same-origin" || site === "none" || (site === "same-site" && options.allowSameSite)) return undefined;
    return new CsrfError("cross-site", `CSRF check failed: the request came from another site (Sec-Fetch-Site: ${site}).`);
  }
  if (origin !== undefined && origin !== appOrigin(request.protocol, request.host)) {
    // Includes "Origin: null" (sandboxed frames, some redirects), which no allowed page sends.
    return new CsrfError("origin-mismatch", `CSRF check failed: Origin ${origin} is not this app's origin nor an allowed one.`);
  }
  return undefined;
}

/**
 * Checks one request: does nothing for GET, HEAD, OPTIONS and TRACE;
 * otherwise requires the browser's `Sec-Fetch-Site` / `Origin` not to say
 * another site sent it, and requires this session's token, from the form
 * field or else the header, whatever the headers say. Reads only what the
 * session already loaded: no store round trip, nothing written. A request
 * read through a header token transport, without the session cookie, is
 * never checked (see the module's note).
 *
 * @throws CsrfError (status 403) naming the rule that refused the request.
 * @throws SessionStoreError when the session could not be loaded (the
 * `"anonymous"` outage policy): without its secret no token can be checked.
 *
 * @example
 * ```ts
 * verifyCsrf(session, { method: "POST", secFetchSite: "same-origin", origin: undefined,
 *   protocol: "https", host: "example.com", formToken: body._csrf, headerToken: undefined }, resolveCsrfOptions());
 * ```
 */
export function verifyCsrf<D extends object>(session: Session<D>, request: CsrfRequest, options: ResolvedCsrfOptions): void {
  if (!isCsrfCheckedMethod(request.method)) return;
  // A header token's request (and no session cookie) cannot be forged cross-site: see TokenDelivery.csrfExempt.
  if (asHandle(session).delivery.csrfExempt) return;
  const failure = sourceFailure(request, options);
  if (failure !== undefined) throw failure;
  const token = request.formToken ?? request.headerToken;
  if (token === undefined || token === "") {
    throw new CsrfError("missing-token", `CSRF check failed: no token in the "${options.fieldName}" form field nor the ${options.headerName} header.`);
  }
  const secret = asHandle(session).csrfSecret(false);
  // A duplicated field (an array) or any other non-string is no token of ours.
  if (typeof token !== "string" || secret === undefined || !csrfTokenMatches(token, secret)) {
    throw new CsrfError("invalid-token", "CSRF check failed: the token does not belong to this session (an old page, or another site).");
  }
}

/**
 * A CSRF token for this session, to put in a form's hidden field (named
 * `_csrf` by default) or send in the `x-csrf-token` header. Each call gives
 * a different text (masked against BREACH) for the same per-session secret,
 * and all of them verify. The first call creates the secret, stored with
 * the session at commit: an anonymous visitor shown a login form becomes a
 * stored session, so the token survives to the POST on any instance.
 * `regenerate()` replaces the secret, so forms shown before a login stop
 * working after it; `destroy()` drops it.
 *
 * @throws SessionStoreError when the session could not be loaded (the `"anonymous"` outage policy).
 *
 * @example
 * ```ts
 * res.send(`<form method="post" action="/login">
 *   <input type="hidden" name="_csrf" value="${csrfToken(req.session)}">...`);
 * ```
 */
export function csrfToken<D extends object>(session: Session<D>): string {
  return maskCsrfSecret(asHandle(session).csrfSecret(true)!);
}

function asHandle<D extends object>(session: Session<D>): SessionHandle<D> {
  if (!(session instanceof SessionHandle)) {
    throw new TypeError("Not a session loaded by a Tessera manager: mount the session middleware before the CSRF helper.");
  }
  return session as SessionHandle<D>;
}

