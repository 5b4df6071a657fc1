import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from "fastify";
import type { SessionManager } from "../core/manager.js";
import type { StoreOutagePolicy } from "../core/options.js";
import type { Session } from "../core/session.js";
import type { SessionData } from "../core/session-data.js";
import type { ResponseHeader } from "../core/token-delivery.js";
import { isFailedRequest, isUnhandledError } from "./shared/failed-request.js";
import { unencapsulatedPlugin } from "./shared/fastify-plugin.js";
import { nowOrLater } from "./shared/now-or-later.js";
import { checkedStoreOutage, storeOutageChooser, type StoreOutageOption } from "./shared/store-outage.js";
import { typedSession } from "./shared/typed-session.js";

declare module "fastify" {
  interface FastifyRequest {
    /** This request's Tessera session, typed by the app-wide `SessionData`. */
    session: Session<SessionData>;
  }
  interface FastifyContextConfig {
    /** This route's store outage policy (`{ config: { tesseraStoreOutage: "anonymous" } }`), over the plugin's and the manager's. */
    tesseraStoreOutage?: StoreOutagePolicy;
  }
}

/**
 * Options of {@link fastifySession}: `storeOutage`, a policy or a function of `request`.
 * @example `fastifySession(sessions, { storeOutage: (request) => (request.url === "/" ? "anonymous" : "fail") })`
 */
export type FastifySessionOptions = StoreOutageOption<FastifyRequest>;

/** The Fastify plugin, plus a typed accessor for apps that use a generic instead of `SessionData`. */
export interface FastifySessionPlugin<D extends object> extends FastifyPluginAsync {
  /** The request's session typed with the manager's data type `D`, as in `tessera.session(request).data.cart ?? []`. */
  session(request: FastifyRequest): Session<D>;
}

/**
 * Fastify plugin that loads the request's session into `request.session`
 * (`onRequest`) and commits it before the payload (a redirect, a stream...)
 * goes out (`onSend`): Set-Cookie joins the reply, and the write is done when
 * the client sees the response. HTTPS is `request.protocol`, which follows
 * Fastify's `trustProxy`. Store failures reach Fastify's error handler as
 * `SessionStoreError` (status 503), unless `storeOutage` (or the route's
 * `config.tesseraStoreOutage`) lets the request go on anonymously. A request
 * whose route threw an error without a 4xx status, or whose reply is a 5xx,
 * has its changes discarded and no new session cookie (`commitOnError`).
 *
 * With `reply.hijack()` the hooks do not run: `await request.session.commit()`
 * yourself and set the headers of `manager.pendingResponseHeaders(session)`.
 *
 * @example
 * ```ts
 * import Fastify from "fastify";
 * import { fastifySession } from "tessera-session/fastify";
 * const app = Fastify({ trustProxy: "127.0.0.1" });
 * await app.register(fastifySession(sessions));
 * app.get("/", async (request) => `Hello ${request.session.data.username ?? "stranger"}`);
 * ```
 */
export function fastifySession<D extends object>(manager: SessionManager<D>, options: FastifySessionOptions = {}): FastifySessionPlugin<D> {
  const storeOutageOf = storeOutageChooser<FastifyRequest>(options.storeOutage, "fastifySession storeOutage");
  // Requests whose route threw an unhandled error, whatever the error handler answers.
  const threwUnhandledError = new WeakSet<FastifyRequest>();
  // Set once the commit was attempted: a failed commit's error reply passes onSend again, not to retry.
  const committed = Symbol("tessera-session committed");

  const plugin = async (fastify: FastifyInstance): Promise<void> => {
    // Declared up front (null, as Fastify requires) so requests keep one shape; null when the load fails.
    fastify.decorateRequest("session", null as unknown as Session<SessionData>);
    fastify.decorateRequest(committed, false);

    // A route's policy is checked as the route is declared, so a typo fails at start-up.
    fastify.addHook("onRoute", ({ url, config }) => void checkedStoreOutage(config?.tesseraStoreOutage, `route ${url} config.tesseraStoreOutage`));

    // Callback hooks: most requests need no store call and go on at once, with no promise or microtask turn.
    fastify.addHook("onRequest", (request, _reply, done) => {
      let loaded;
      try {
        // Read (and checked) per request, not kept from onRoute: that misses the routes declared before the plugin loaded.
        const routePolicy = request.routeOptions.config.tesseraStoreOutage;
        const storeOutage = routePolicy === undefined ? storeOutageOf(request) : checkedStoreOutage(routePolicy, `route ${request.routeOptions.url} config.tesseraStoreOutage`);
        loaded = manager.loadNowOrLater({ cookieHeader: request.headers.cookie, headers: request.headers, secure: request.protocol === "https", storeOutage });
      } catch (error) {
        return done(error as Error);
      }
      const attach = (session: Session<D>): void => {
        request.session = session as unknown as Session<SessionData>;
        done();
      };
      nowOrLater(loaded, attach, done as (error: unknown) => void);
    });

    fastify.addHook("onError", async (request, _reply, error) => {
      if (isUnhandledError(error)) threwUnhandledError.add(request);
    });

    fastify.addHook("onSend", (request, reply, payload, done) => {
      const session = request.session as unknown as Session<D> | null;
      const flags = request as unknown as Record<symbol, boolean>;
      if (session === null || flags[committed]) return done(null, payload);
      flags[committed] = true;
      const failed = isFailedRequest(threwUnhandledError.has(request), reply.statusCode);
      const send = (headers: readonly ResponseHeader[]): void => {
        for (const [name, value] of headers) reply.header(name, value);
        done(null, payload);
      };
      nowOrLater(manager.commitResponseNowOrLater(session, { failed }), send, (error) => {
        // The route's reply (a redirect, a cookie...) must not go out with
        // the error page: it would claim a success that was not stored.
        for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
        done(error as Error);
      });
    });
  };

  return Object.assign(unencapsulatedPlugin(plugin, "tessera-session"), { session: typedSession<D> });
}

export { fastifyCsrf } from "./csrf/fastify.js";
