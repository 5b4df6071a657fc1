import type { NextFunction, Request, RequestHandler, Response } from "express";
import { resolveCsrfOptions, verifyCsrf, type CsrfOptions } from "../../core/csrf.js";
import { csrfRequest, firstForwardedValue, headerText } from "./headers.js";

/** Express's compiled `trust proxy` setting (Express 4 and 5 alike). */
type TrustProxy = (address: string | undefined, hop: number) => boolean;

/**
 * The host the request reached the app with: `X-Forwarded-Host` from a
 * proxy that `trust proxy` trusts, else `Host`. Express 5's `req.host` says
 * the same; Express 4's drops the port, which `Origin` carries.
 */
function requestHost(req: Request): string | undefined {
  const trust = req.app.get("trust proxy fn") as TrustProxy | undefined;
  const forwarded = firstForwardedValue(req.headers["x-forwarded-host"]);
  if (forwarded !== undefined && trust?.(req.socket.remoteAddress, 0)) return forwarded;
  return headerText(req.headers.host);
}

/**
 * Express middleware that refuses cross-site and token-less state-changing
 * requests (every method but GET, HEAD, OPTIONS, TRACE) with a
 * `CsrfError` (status 403) through `next`, before the route runs. The token
 * comes from the form field (default `_csrf`) of `req.body`, so mount
 * `express.urlencoded()` before it for HTML forms, or from the
 * `x-csrf-token` header (`fetch`, XHR, multipart forms). Mount it after
 * `expressSession`; put `csrfToken(req.session)` in every form.
 *
 * Scheme and host come from Express's `trust proxy` setting
 * (`req.protocol`, `X-Forwarded-Host`): behind a proxy, set it, or list
 * the public origin in `allowedOrigins`.
 *
 * @throws SessionConfigError at creation for bad options.
 *
 * @example
 * ```ts
 * import { csrfToken } from "tessera-session";
 * import { expressCsrf, expressSession } from "tessera-session/express";
 * app.use(express.urlencoded({ extended: false }));
 * app.use(expressSession(sessions));
 * app.use(expressCsrf());
 * app.get("/login", (req, res) => res.send(`<form method="post">
 *   <input type="hidden" name="_csrf" value="${csrfToken(req.session)}">...</form>`));
 * ```
 */
export function expressCsrf(options: CsrfOptions = {}): RequestHandler {
  const resolved = resolveCsrfOptions(options);
  return (req: Request, _res: Response, next: NextFunction): void => {
    try {
      verifyCsrf(req.session, csrfRequest(req.method, req.headers, { protocol: req.protocol, host: requestHost(req), body: req.body }, resolved), resolved);
    } catch (error) {
      next(error);
      return;
    }
    next();
  };
}
