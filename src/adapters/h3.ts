import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { defineEventHandler, sendError, type EventHandler, type H3Event, type H3EventContext } from "h3";
import type { SessionManager } from "../core/manager.js";
import type { Session } from "../core/session.js";
import type { SessionData } from "../core/session-data.js";
import { baseHandled, toH3Error } from "./shared/h3-event.js";
import { holdResponseUntilCommitted } from "./shared/hold-response.js";
import { ownSession } from "./shared/own-session.js";
import { storeOutageChooser, type StoreOutageOption } from "./shared/store-outage.js";
import { trustedForwardedHttps, type TrustProxyOption } from "./shared/trust-proxy.js";

declare module "h3" {
  interface H3EventContext {
    /** This request's Tessera session (set by `h3Session`), typed by the app-wide `SessionData`. */
    session: Session<SessionData>;
  }
}

/**
 * Options of {@link h3Session}: `storeOutage`, a policy or a function of
 * the `event`, and `trustProxy` (h3 and Nitro have no proxy setting of
 * their own), the same forms as `nodeSession`'s.
 */
export interface H3SessionOptions extends StoreOutageOption<H3Event>, TrustProxyOption {}

/** The h3 middleware, plus a typed accessor for apps that use a generic instead of `SessionData`. */
export interface H3SessionHandler<D extends object> extends EventHandler<{ body?: never }, Promise<void>> {
  /**
   * The event's session typed with the manager's data type `D`: this
   * middleware's own, also when another manager's is mounted after it
   * (`event.context.session` is then the last one's).
   *
   * @example `const cart = tessera.session(event).data.items ?? [];` (with `const tessera = h3Session(sessions)` mounted)
   */
  session(event: H3Event): Session<D>;
}

/**
 * h3 (1.x) middleware, for Nuxt and Nitro (`server/middleware/`) or a bare
 * h3 app (`app.use()`): loads the request's session into
 * `event.context.session` and commits it when the response ends (returned
 * value, `sendRedirect`, `sendStream`, an error page), holding the Node
 * response's end as `nodeSession` does: Set-Cookie is attached and the write
 * is done when the client sees the response, so the page a redirect leads
 * to already sees the change. A response with a 5xx status (an unhandled
 * error included: h3 answers it with 500) has its changes discarded and
 * carries no new session cookie; a thrown `createError({ statusCode: 4xx })`
 * is a deliberate answer and keeps them. Runs where Nitro runs on Node's
 * `http` (the `node-server`, `node-listener` and `node-cluster` presets).
 *
 * Store failures at load are thrown as an h3 error with status 503 whose
 * `cause` is the `SessionStoreError` (Nitro's `errorHandler` can render
 * it), unless `storeOutage` lets the request go on anonymously; a failed
 * commit replaces the route's response with h3's 503 error answer.
 *
 * @example
 * ```ts
 * // server/middleware/session.ts in a Nuxt app
 * import { h3Session } from "tessera-session/h3";
 * export default h3Session(sessions, { trustProxy: "loopback" });
 * // server/routes/index.get.ts
 * export default defineEventHandler((event) => `Hello ${event.context.session.data.username ?? "stranger"}`);
 * ```
 */
export function h3Session<D extends object>(manager: SessionManager<D>, options: H3SessionOptions = {}): H3SessionHandler<D> {
  const viaHttpsProxy = trustedForwardedHttps(options.trustProxy, "h3Session trustProxy");
  const isHttps = ({ socket, headers }: IncomingMessage): boolean =>
    (socket as TLSSocket | null)?.encrypted === true ||
    viaHttpsProxy?.({ peerAddress: socket?.remoteAddress, forwardedFor: headers["x-forwarded-for"], forwardedProto: headers["x-forwarded-proto"] }) === true;
  const storeOutageOf = storeOutageChooser<H3Event>(options.storeOutage, "h3Session storeOutage");
  const own = ownSession<H3EventContext, D>((context) => context.session);

  const handler = defineEventHandler(async (event) => {
    const { req, res } = event.node;
    let session: Session<D>;
    try {
      const loaded = manager.loadNowOrLater({ cookieHeader: req.headers.cookie, headers: req.headers, secure: isHttps(req), storeOutage: storeOutageOf(event) });
      session = loaded instanceof Promise ? await loaded : loaded;
    } catch (error) {
      throw toH3Error(error);
    }
    let answeringCommitError = false;
    // A held end is an answer given: `event.handled` says so from then on (not before: an own accessor slows the event).
    const endHeld = (): void => {
      const handled = baseHandled(event);
      Object.defineProperty(event, "handled", { configurable: true, get: () => !answeringCommitError || handled() });
    };
    const answerCommitError = (error: unknown): void => {
      answeringCommitError = true;
      sendError(event, toH3Error(error) as Error);
    };
    holdResponseUntilCommitted(res, session, manager, answerCommitError, { onEndHeld: endHeld });
    event.context.session = session as unknown as Session<SessionData>;
    own.keep(event.context, session);
  });
  return Object.assign(handler, { session: (event: H3Event) => own.read(event.context) });
}

/**
 * `event.context.session` typed with a manager's own data type `D`, for apps
 * that use `createSessionManager<D>()` instead of the app-wide `SessionData`.
 * A cast: with two managers mounted it is the last one's session; the
 * middleware's own `session(event)` is each one's.
 *
 * @example
 * ```ts
 * const cart = eventSession<CartData>(event).data.items ?? [];
 * ```
 */
export function eventSession<D extends object>(event: H3Event): Session<D> {
  return event.context.session as unknown as Session<D>;
}

export type { TrustProxy } from "./shared/trust-proxy.js";
// h3 runs on Node's request here: the node:http CSRF check reads `event.node.req`.
export { nodeCsrf, type NodeCsrf, type NodeCsrfOptions } from "./csrf/node.js";
