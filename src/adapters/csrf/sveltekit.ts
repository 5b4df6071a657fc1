import type { Handle, RequestEvent } from "@sveltejs/kit";
import { CsrfError, isCsrfCheckedMethod, resolveCsrfOptions, type CsrfOptions } from "../../core/csrf.js";
import { SessionStoreError } from "../../core/errors.js";
import { plainErrorResponse } from "../shared/fetch-response.js";
import { trustedForwardedValue } from "../shared/forwarded.js";
import { sveltekitConnectionIsHttps, sveltekitSocket } from "../shared/sveltekit-request.js";
import { trustedHopCounter, type TrustProxy } from "../shared/trust-proxy.js";
import { verifyFetchCsrf } from "./fetch-request.js";

/** Options of {@link sveltekitCsrf}. */
export interface SvelteKitCsrfOptions extends CsrfOptions {
  /**
   * The proxies whose `X-Forwarded-Proto` and `X-Forwarded-Host` give the
   * app's own origin: pass `sveltekitSession` the same setting. Default
   * `false`: the connection's scheme and `event.url.host`.
   */
  trustProxy?: TrustProxy;
  /** The response to a refused request. Default: a plain-text 403. */
  onCsrfError?: (error: CsrfError, event: RequestEvent) => Response | Promise<Response>;
}

const refused = (error: CsrfError): Response =>
  new Response("Forbidden\n", { status: error.status, headers: { "content-type": "text/plain; charset=utf-8" } });

/**
 * SvelteKit `handle` hook that refuses cross-site and token-less
 * state-changing requests (every method but GET, HEAD, OPTIONS, TRACE)
 * before any form action or endpoint runs. The token comes from the form
 * field (default `_csrf`), read from a copy of the body so the action
 * reads it again, or from the `x-csrf-token` header. Put it after
 * `sveltekitSession` in `sequence()`: it checks `event.locals.session`.
 * SvelteKit's own origin check for forms stays as it is configured.
 *
 * @throws SessionConfigError at creation for bad options.
 *
 * @example
 * ```ts
 * import { sequence } from "@sveltejs/kit/hooks";
 * import { sveltekitCsrf, sveltekitSession } from "tessera-session/sveltekit";
 * export const handle = sequence(sveltekitSession(sessions), sveltekitCsrf());
 * // +page.svelte: <input type="hidden" name="_csrf" value={data.csrf}> with csrfToken(locals.session) from load
 * ```
 */
export function sveltekitCsrf(options: SvelteKitCsrfOptions = {}): Handle {
  const { trustProxy = false, onCsrfError = refused, ...csrfOptions } = options;
  const resolved = resolveCsrfOptions(csrfOptions);
  const trustedHops = trustedHopCounter(trustProxy, "sveltekitCsrf trustProxy");
  return async ({ event, resolve }) => {
    const { headers, method } = event.request;
    if (!isCsrfCheckedMethod(method)) return resolve(event);
    const hops = trustedHops({ peerAddress: sveltekitSocket(event)?.remoteAddress, forwardedFor: headers.get("x-forwarded-for") });
    const https = sveltekitConnectionIsHttps(event) || trustedForwardedValue(headers.get("x-forwarded-proto"), hops)?.toLowerCase() === "https";
    try {
      const host = trustedForwardedValue(headers.get("x-forwarded-host"), hops) ?? event.url.host;
      await verifyFetchCsrf(event.locals.session, event.request, { https, host }, resolved);
    } catch (error) {
      if (error instanceof CsrfError) return onCsrfError(error, event);
      // The session could not be loaded (the "anonymous" outage policy): no token can be checked.
      if (error instanceof SessionStoreError) return plainErrorResponse(error);
      throw error;
    }
    return resolve(event);
  };
}
