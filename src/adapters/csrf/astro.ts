import type { APIContext, MiddlewareHandler } from "astro";
import { CsrfError, isCsrfCheckedMethod, resolveCsrfOptions, type CsrfOptions } from "../../core/csrf.js";
import { SessionStoreError } from "../../core/errors.js";
import { plainErrorResponse } from "../shared/fetch-response.js";
import { trustedForwardedValue } from "../shared/forwarded.js";
import { trustedHopCounter, type TrustProxy } from "../shared/trust-proxy.js";
import { verifyFetchCsrf } from "./fetch-request.js";

/** Options of {@link astroCsrf}. */
export interface AstroCsrfOptions extends CsrfOptions {
  /**
   * The proxies whose `X-Forwarded-Proto` and `X-Forwarded-Host` give the
   * app's own origin: pass `astroSession` the same setting. Default
   * `false`: the request URL's scheme and host, as Astro reports them.
   */
  trustProxy?: TrustProxy;
  /** The response to a refused request. Default: a plain-text 403. */
  onCsrfError?: (error: CsrfError, context: APIContext) => Response | Promise<Response>;
}

const refused = (error: CsrfError): Response =>
  new Response("Forbidden\n", { status: error.status, headers: { "content-type": "text/plain; charset=utf-8" } });

/**
 * Astro middleware that refuses cross-site and token-less state-changing
 * requests (every method but GET, HEAD, OPTIONS, TRACE) before the page or
 * endpoint runs. The token comes from the form field (default `_csrf`),
 * read from a copy of the body so the page reads it again, or from the
 * `x-csrf-token` header. Put it after `astroSession` in `sequence()`.
 *
 * @throws SessionConfigError at creation for bad options.
 *
 * @example
 * ```ts
 * import { sequence } from "astro:middleware";
 * import { astroCsrf, astroSession } from "tessera-session/astro";
 * export const onRequest = sequence(astroSession(sessions), astroCsrf());
 * ```
 */
export function astroCsrf(options: AstroCsrfOptions = {}): MiddlewareHandler {
  const { trustProxy = false, onCsrfError = refused, ...csrfOptions } = options;
  const resolved = resolveCsrfOptions(csrfOptions);
  const trustedHops = trustedHopCounter(trustProxy, "astroCsrf trustProxy");
  return async (context, next) => {
    const { headers, method } = context.request;
    if (!isCsrfCheckedMethod(method)) return next();
    const hops = trustedHops({ peerAddress: context.clientAddress, forwardedFor: headers.get("x-forwarded-for") });
    const https = context.url.protocol === "https:" || trustedForwardedValue(headers.get("x-forwarded-proto"), hops)?.toLowerCase() === "https";
    try {
      const host = trustedForwardedValue(headers.get("x-forwarded-host"), hops) ?? context.url.host;
      await verifyFetchCsrf(context.locals.session, context.request, { https, host }, resolved);
    } catch (error) {
      if (error instanceof CsrfError) return onCsrfError(error, context);
      // The session could not be loaded (the "anonymous" outage policy): no token can be checked.
      if (error instanceof SessionStoreError) return plainErrorResponse(error);
      throw error;
    }
    return next();
  };
}
