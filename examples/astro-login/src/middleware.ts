/**
 * Every request: the serving instance named in `X-Served-By`, the session
 * loaded into `Astro.locals.session` (astroSession), and every POST but
 * the API login CSRF-checked (astroCsrf) before a page or endpoint runs.
 */
import type { MiddlewareHandler } from "astro";
import { sequence } from "astro:middleware";
import { astroCsrf, astroSession } from "tessera-session/astro";
import { SERVED_BY_HEADER } from "../../shared/api.js";
import { formExpired, pageContext, type LoginAppOptions } from "../../shared/login-app.js";
import { unavailablePage } from "../../shared/pages.js";
import { loginHost } from "./lib/host.js";

const html = (page: string, status: number, headers: Record<string, string> = {}) =>
  new Response(page, { status, headers: { "content-type": "text/html; charset=utf-8", ...headers } });

/** One chain per app (its manager and instance), made on its first request. */
const chains = new WeakMap<LoginAppOptions, MiddlewareHandler>();
function chainFor(options: LoginAppOptions): MiddlewareHandler {
  const trustProxy = options.trustProxy ? "loopback" : false;
  const session = astroSession(options.sessions, {
    trustProxy,
    // Never pretend the user is logged out: a 503 page that says the session is safe.
    onStoreError: () => html(unavailablePage(pageContext(options, undefined)), 503, { "retry-after": "2" }),
  });
  const csrf = astroCsrf({ trustProxy, onCsrfError: (_error, context) => html(formExpired(options, context.locals.session), 403) });
  // The API login is not checked: it sets no cookie and refuses a request carrying the browser's (examples/shared/api.ts).
  const checked: MiddlewareHandler = (context, next) => (context.url.pathname === "/api/login" ? next() : csrf(context, next));
  return sequence(session, checked);
}

export const onRequest: MiddlewareHandler = async (context, next) => {
  const options = loginHost(context);
  let chain = chains.get(options);
  if (chain === undefined) chains.set(options, (chain = chainFor(options)));
  const response = (await chain(context, next)) as Response;
  try {
    response.headers.set(SERVED_BY_HEADER, options.instance);
    return response;
  } catch {
    // A response with immutable headers (a fetch() answer): a copy takes the header.
    const copy = new Response(response.body, response);
    copy.headers.set(SERVED_BY_HEADER, options.instance);
    return copy;
  }
};
