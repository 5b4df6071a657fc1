import type { APIContext, MiddlewareHandler } from "astro";
import { SessionStoreError } from "../core/errors.js";
import type { SessionManager } from "../core/manager.js";
import type { Session } from "../core/session.js";
// Aliased: inside `namespace App`, a bare `SessionData` would name Astro's own `App.SessionData`.
import type { SessionData as TesseraSessionData } from "../core/session-data.js";
import { fetchSessions } from "./fetch.js";
import { isUnhandledError } from "./shared/failed-request.js";
import { appendHeaders, discardResponse, plainErrorResponse } from "./shared/fetch-response.js";
import { localsSession } from "./shared/own-session.js";
import { storeOutageChooser, type StoreOutageOption } from "./shared/store-outage.js";
import { trustedForwardedHttps, type TrustProxyOption } from "./shared/trust-proxy.js";

declare global {
  // Astro types `Astro.locals` and `context.locals` through the global `App` namespace.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace App {
    interface Locals {
      /** This request's Tessera session, typed by the app-wide `SessionData`. */
      session: Session<TesseraSessionData>;
    }
  }
}

/**
 * Options of {@link astroSession}: `storeOutage` (a policy or a
 * function of the `APIContext`), `onStoreError`, and `trustProxy`.
 */
export interface AstroSessionOptions extends StoreOutageOption<APIContext>, TrustProxyOption {
  /**
   * The response when the session could not be loaded or committed (a
   * `SessionStoreError`, 503); default a plain-text 503.
   * The page's own response (Location, cookies) is dropped: it was not stored.
   */
  onStoreError?: (error: SessionStoreError, context: APIContext) => Response | Promise<Response>;
}

/** The middleware, plus a typed accessor for apps that use a generic instead of `SessionData`. */
export interface AstroSessionMiddleware<D extends object> extends MiddlewareHandler {
  /**
   * The request's session typed with the manager's data type `D`: this middleware's own, also
   * when another manager's runs after it in `sequence()` (`locals.session` is then the last one's).
   * @example `const cart = tessera.session(Astro).data.cart ?? [];`
   */
  session(context: { locals: object }): Session<D>;
}

/**
 * Astro middleware (`onRequest`, server output) that loads the request's
 * session into `context.locals.session` (`Astro.locals.session` in pages,
 * `locals.session` in endpoints and actions) and commits it once the page
 * or endpoint has built its response, before the response leaves the
 * middleware: a redirect carries its Set-Cookie and the write is done when
 * the browser follows it. A 5xx response (an error thrown while rendering,
 * which Astro answers with 500) has its changes discarded and gets no new
 * session cookie; a thrown error gets Astro's 500 page, or a plain one
 * when its session has a cookie to send. A page streams its HTML after the commit: change the
 * session in the page's frontmatter, before any `await` that flushes.
 *
 * This is Tessera's session, not Astro's own `Astro.session` (its
 * sessions feature): the two are separate.
 *
 * @example
 * ```ts
 * // src/middleware.ts
 * import { astroSession } from "tessera-session/astro";
 * export const onRequest = astroSession(sessions, { trustProxy: 1 });
 * // src/pages/index.astro: Hello {Astro.locals.session.data.username ?? "stranger"}
 * ```
 */
export function astroSession<D extends object>(manager: SessionManager<D>, options: AstroSessionOptions = {}): AstroSessionMiddleware<D> {
  const viaHttpsProxy = trustedForwardedHttps(options.trustProxy, "astroSession trustProxy");
  // Astro's URL has the socket's scheme (or X-Forwarded-Proto, when `security.allowedDomains` vouches for it).
  const isHttps = (context: APIContext): boolean =>
    context.url.protocol === "https:" ||
    viaHttpsProxy?.({ peerAddress: context.clientAddress, forwardedFor: context.request.headers.get("x-forwarded-for"), forwardedProto: context.request.headers.get("x-forwarded-proto") }) === true;
  const storeOutageOf = storeOutageChooser<APIContext>(options.storeOutage, "astroSession storeOutage");
  const onStoreError = options.onStoreError ?? plainErrorResponse;
  // The commit goes through the fetch entry like every fetch-based adapter's.
  const tessera = fetchSessions(manager);
  const own = localsSession<D>();

  const middleware: MiddlewareHandler = async (context, next) => {
    const { headers } = context.request;
    let session: Session<D>;
    try {
      session = await manager.load({ cookieHeader: headers.get("cookie") ?? undefined, headers: (name) => headers.get(name), secure: isHttps(context), storeOutage: storeOutageOf(context) });
    } catch (error) {
      if (error instanceof SessionStoreError) return onStoreError(error, context);
      throw error;
    }
    own.attach(context.locals, session);
    let response: Response;
    try {
      response = await next();
    } catch (error) {
      // Astro answers a thrown error with its 500 page, outside the middleware: what the
      // failed request's session may carry (commitOnError's cookie, a clearing one) can
      // only go out on a page answered here; otherwise Astro's page stays.
      const sent = new Headers();
      await tessera.commitHeaders(session, sent, { failed: isUnhandledError(error) });
      if ([...sent.keys()].length === 0) throw error;
      return appendHeaders(plainErrorResponse(error), [...sent]);
    }
    try {
      return await tessera.commit(session, response); // a 5xx response discards the changes
    } catch (error) {
      discardResponse(response);
      if (error instanceof SessionStoreError) return onStoreError(error, context);
      throw error;
    }
  };
  return Object.assign(middleware, { session: own.read });
}

export type { TrustProxy } from "./shared/trust-proxy.js";
export { astroCsrf, type AstroCsrfOptions } from "./csrf/astro.js";
