import { verifyCsrf, type ResolvedCsrfOptions } from "../../core/csrf.js";
import type { Session } from "../../core/session.js";

/** Form bodies the check reads the token from; anything else is left to the route, and the token to the header. */
const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/** The form field's value: undefined when absent, a list when repeated (no token, then), as a parsed body has it. */
function formFieldOf(form: FormData | undefined, name: string): unknown {
  const values = form?.getAll(name) ?? [];
  return values.length <= 1 ? values[0] : values;
}

/**
 * The CSRF check of the fetch-based frameworks' helpers (SvelteKit, Astro)
 * for one web `Request`: the token from a form body (read from a copy, so
 * the route reads the body again) or the token header, and the request's
 * `Sec-Fetch-Site` and `Origin` against the app's own origin, which the
 * adapter works out (connection, trusted proxies).
 *
 * @throws CsrfError (403) when refused; SessionStoreError when the session could not be loaded.
 *
 * @example
 * ```ts
 * await verifyFetchCsrf(locals.session, request, { https: false, host: url.host }, resolved);
 * ```
 */
export async function verifyFetchCsrf<D extends object>(
  session: Session<D>,
  request: Request,
  app: { readonly https: boolean; readonly host: string },
  options: ResolvedCsrfOptions,
): Promise<void> {
  const { headers } = request;
  const formToken = FORM_TYPES.test(headers.get("content-type") ?? "")
    ? formFieldOf(await request.clone().formData().catch(() => undefined), options.fieldName) // a malformed body has no token
    : undefined;
  verifyCsrf(
    session,
    {
      method: request.method,
      secFetchSite: headers.get("sec-fetch-site") || undefined,
      origin: headers.get("origin") || undefined,
      protocol: app.https ? "https" : "http",
      host: app.host,
      formToken,
      headerToken: headers.get(options.headerName) || undefined,
    },
    options,
  );
}
