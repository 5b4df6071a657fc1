/**
 * CSRF protection for the login example's state-changing forms, with the
 * synchronizer token pattern: a random token lives in the session (on the
 * server, in Redis) and every form carries a copy; a POST whose copy does
 * not match is refused. The session cookie's SameSite=Lax already stops
 * cross-site POSTs in current browsers; the token also covers older
 * browsers and same-site attackers (a sibling subdomain), and it is what
 * people copying this example should keep.
 *
 * csrf-sync (the maintained successor of the deprecated csurf for this
 * pattern) does the token work; it only needs to be told where Tessera keeps
 * the session data.
 */
import { csrfSync } from "csrf-sync";
import type { ErrorRequestHandler, Request, RequestHandler } from "express";
import "../shared/session-data.js";

/** The form field that carries the token. */
export const CSRF_FIELD = "_csrf";

const csrf = csrfSync({
  getTokenFromState: (req) => req.session.data.csrfToken,
  storeTokenInState: (req, token) => {
    if (typeof token === "string") req.session.data.csrfToken = token;
    else delete req.session.data.csrfToken;
  },
  getTokenFromRequest: (req) => {
    const value = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    return typeof value === "string" ? value : undefined;
  },
  // 32 random bytes (64 hex characters) is plenty; the default 128 bytes only makes pages bigger.
  size: 32,
});

/**
 * Route middleware: refuses (403, via the error handler) any POST without
 * this session's token. Needs `express.urlencoded()` before it.
 *
 * @example
 * ```ts
 * app.post("/sessions/revoke-others", requireLogin, csrfProtection, handler);
 * ```
 */
export const csrfProtection: RequestHandler = csrf.csrfSynchronisedProtection;

/**
 * This session's token, created (and stored in the session) if it has none.
 * Pass `fresh: true` at login: a token that an anonymous visitor could have
 * seen must not carry over into the logged-in session, just as the session
 * token itself does not (regenerate).
 *
 * @example
 * ```ts
 * await req.session.regenerate();
 * csrfToken(req, { fresh: true });
 * ```
 */
export function csrfToken(req: Request, { fresh = false } = {}): string {
  return csrf.generateToken(req, fresh);
}

/**
 * Error middleware factory: answers a CSRF failure with `respond` and passes
 * every other error on.
 *
 * @example
 * ```ts
 * app.use(onCsrfError((req, res) => res.status(403).send("Form expired")));
 * ```
 */
export function onCsrfError(respond: RequestHandler): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (error !== csrf.invalidCsrfTokenError || res.headersSent) return next(error);
    return respond(req, res, next);
  };
}
