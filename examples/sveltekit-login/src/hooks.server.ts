/**
 * Every request: the serving instance named in `X-Served-By`, the session
 * loaded into `event.locals.session` (sveltekitSession), and every POST but
 * the API login CSRF-checked (sveltekitCsrf) before a form action runs.
 */
import type { Handle } from "@sveltejs/kit";
import { sequence } from "@sveltejs/kit/hooks";
import { sveltekitCsrf, sveltekitSession } from "tessera-session/sveltekit";
import { SERVED_BY_HEADER } from "../../shared/api.js";
import { formExpired, pageContext, type LoginAppOptions } from "../../shared/login-app.js";
import { unavailablePage } from "../../shared/pages.js";
import { loginHost } from "./lib/server/host.js";

const html = (page: string, status: number, headers: Record<string, string> = {}) =>
  new Response(page, { status, headers: { "content-type": "text/html; charset=utf-8", ...headers } });

/** One pair of hooks per app (its manager and instance), made on its first request. */
const hooks = new WeakMap<LoginAppOptions, Handle>();
function hooksFor(options: LoginAppOptions): Handle {
  const trustProxy = options.trustProxy ? "loopback" : false;
  const session = sveltekitSession(options.sessions, {
    trustProxy,
    // Never pretend the user is logged out: a 503 page that says the session is safe.
    onStoreError: () => html(unavailablePage(pageContext(options, undefined)), 503, { "retry-after": "2" }),
  });
  const csrf = sveltekitCsrf({ trustProxy, onCsrfError: (_error, event) => html(formExpired(options, event.locals.session), 403) });
  // The API login is not checked: it sets no cookie and refuses a request carrying the browser's (examples/shared/api.ts).
  const checked: Handle = (input) => (input.event.url.pathname === "/api/login" ? input.resolve(input.event) : csrf(input));
  return sequence(session, checked);
}

/**
 * Svelte's hydration markers (`<!--[-->`...), which the pages do not need
 * (no JavaScript is sent) and which would come before the shared pages' doctype.
 */
const HYDRATION_MARKERS = /<!--(\[\d*|\]|)-->/g;
const withoutMarkers = ({ html }: { html: string }) => html.replace(HYDRATION_MARKERS, "");

export const handle: Handle = async ({ event, resolve }) => {
  const options = loginHost(event);
  let handle = hooks.get(options);
  if (handle === undefined) hooks.set(options, (handle = hooksFor(options)));
  const response = await handle({ event, resolve: (event, opts) => resolve(event, { ...opts, transformPageChunk: withoutMarkers }) });
  response.headers.set(SERVED_BY_HEADER, options.instance);
  return response;
};
