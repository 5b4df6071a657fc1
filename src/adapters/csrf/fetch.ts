import { isCsrfCheckedMethod, resolveCsrfOptions, verifyCsrf, type CsrfOptions } from "../../core/csrf.js";
import type { Session } from "../../core/session.js";

/** Form bodies the check reads the token from; anything else is left to the `x-csrf-token` header. */
const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * The CSRF check on a standard `Request`, for fetch handlers and the
 * full-stack frameworks built on them: refuses cross-site and token-less
 * state-changing requests (every method but GET, HEAD, OPTIONS, TRACE)
 * with a `CsrfError` (status 403). The token comes from the form field
 * (default `_csrf`) of a form body, read from a clone so the route can
 * read the body again, or from the `x-csrf-token` header. The app's
 * origin is the request URL's (scheme and host), as the server built it.
 * Bound the body's size before (the runtime's or the proxy's limit).
 *
 * @throws SessionConfigError at creation for bad options.
 *
 * @example
 * ```ts
 * import { fetchCsrf } from "tessera-session/fetch";
 * const checkCsrf = fetchCsrf();
 * // in a handler, before changing anything:
 * await checkCsrf(request, session); // throws CsrfError (403)
 * ```
 */
export function fetchCsrf(options: CsrfOptions = {}): (request: Request, session: Session<object>) => Promise<void> {
  const resolved = resolveCsrfOptions(options);
  return async (request, session) => {
    if (!isCsrfCheckedMethod(request.method)) return;
    const url = new URL(request.url);
    const header = (name: string) => request.headers.get(name) || undefined;
    const formToken = FORM_TYPES.test(header("content-type") ?? "")
      ? await request.clone().formData().then((form) => form.get(resolved.fieldName) ?? undefined, () => undefined)
      : undefined;
    verifyCsrf(
      session,
      {
        method: request.method,
        secFetchSite: header("sec-fetch-site"),
        origin: header("origin"),
        protocol: url.protocol === "https:" ? "https" : "http",
        host: url.host,
        formToken: typeof formToken === "string" ? formToken : undefined,
        headerToken: header(resolved.headerName),
      },
      resolved,
    );
  };
}
