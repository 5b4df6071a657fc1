import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { CsrfError, isCsrfCheckedMethod, resolveCsrfOptions, verifyCsrf, type CsrfOptions } from "../../core/csrf.js";
import { SessionStoreError } from "../../core/errors.js";
import { trustedForwardedValue } from "../shared/forwarded.js";
import { trustedHopCounter, type TrustProxy } from "../shared/trust-proxy.js";
import { honoPeerAddress } from "../shared/hono-peer.js";
import { formField } from "./headers.js";

/** Options of {@link honoCsrf}. */
export interface HonoCsrfOptions extends CsrfOptions {
  /**
   * The proxies whose `X-Forwarded-Proto` and `X-Forwarded-Host` give the
   * app's own origin: the same forms, and the same value, as
   * `honoSession`'s option of the same name (pass it the same setting).
   * Default `false`: the request's own scheme and `Host`.
   */
  trustProxy?: TrustProxy;
}

/** Form bodies the helper reads the token from; anything else is left to the route, and the token to the header. */
const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * Hono middleware that refuses cross-site and token-less state-changing
 * requests (every method but GET, HEAD, OPTIONS, TRACE) before the route
 * runs, with an `HTTPException` of status 403 whose `cause` is the
 * `CsrfError` (like `honoSession`'s store errors, so Hono's default error
 * handling answers 403). The token comes from the form field (default
 * `_csrf`) of a form body, which the middleware parses with
 * `c.req.parseBody()` (Hono caches it, so the route can parse it again),
 * or from the `x-csrf-token` header. Put `bodyLimit()` before it: it reads
 * the body of every form POST. Mount it after `honoSession`.
 *
 * @throws SessionConfigError at creation for bad options.
 *
 * @example
 * ```ts
 * import { csrfToken } from "tessera-session";
 * import { honoCsrf, honoSession } from "tessera-session/hono";
 * app.use(honoSession(sessions));
 * app.use(bodyLimit({ maxSize: 64 * 1024 }), honoCsrf());
 * app.get("/form", (c) => c.html(`<input type="hidden" name="_csrf" value="${csrfToken(c.get("session"))}">`));
 * ```
 */
export function honoCsrf(options: HonoCsrfOptions = {}): MiddlewareHandler {
  const { trustProxy = false, ...csrfOptions } = options;
  const resolved = resolveCsrfOptions(csrfOptions);
  const trustedHops = trustedHopCounter(trustProxy, "honoCsrf trustProxy");
  return async (c, next) => {
    if (isCsrfCheckedMethod(c.req.method)) {
      const url = new URL(c.req.url);
      const hops = trustedHops({ peerAddress: honoPeerAddress(c), forwardedFor: c.req.header("x-forwarded-for") });
      const forwardedProto = trustedForwardedValue(c.req.header("x-forwarded-proto"), hops)?.toLowerCase();
      const https = url.protocol === "https:" || forwardedProto === "https";
      const host = trustedForwardedValue(c.req.header("x-forwarded-host"), hops) ?? url.host;
      try {
        const formToken = FORM_TYPES.test(c.req.header("content-type") ?? "")
          ? formField(await c.req.parseBody(), resolved.fieldName)
          : undefined;
        verifyCsrf(
          c.get("session"),
          {
            method: c.req.method,
            secFetchSite: c.req.header("sec-fetch-site") || undefined,
            origin: c.req.header("origin") || undefined,
            protocol: https ? "https" : "http",
            host,
            formToken,
            headerToken: c.req.header(resolved.headerName) || undefined,
          },
          resolved,
        );
      } catch (error) {
        // A CSRF failure (403), or the store error of an unavailable session (503).
        if (error instanceof CsrfError || error instanceof SessionStoreError) {
          throw new HTTPException(error.status, { message: error.message, cause: error });
        }
        throw error;
      }
    }
    await next();
  };
}
