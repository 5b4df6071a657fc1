import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { createError, defineEventHandler, sendError, type EventHandler, type H3Event } from "h3";
import type { SessionManager } from "../core/manager.js";
import { SessionStoreError } from "../core/errors.js";
import type { Session } from "../core/session.js";
import type { SessionData } from "../core/session-data.js";
import { holdResponseUntilCommitted } from "./shared/hold-response.js";
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

/**
 * A store failure as an h3 error of its status (503), so h3's (or Nitro's,
 * or Nuxt's) error handling answers it; the `SessionStoreError` stays on
 * `cause`. Anything else goes on unchanged.
 */
function toH3Error(error: unknown): unknown {
  if (!(error instanceof SessionStoreError)) return error;
  return createError({ statusCode: error.status, statusMessage: "Service Unavailable", message: error.message, cause: error });
}

/** The `handled` getter of h3's `H3Event` (from the event's own class: Nitro bundles its own copy of h3). */
function baseHandled(event: H3Event): () => boolean {
  for (let proto: object | null = Object.getPrototypeOf(event); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const getter = Object.getOwnPropertyDescriptor(proto, "handled")?.get;
    if (getter) return () => getter.call(event) as boolean;
  }
  return () => event.node.res.writableEnded;
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
export function h3Session<D extends object>(manager: SessionManager<D>, options: H3SessionOptions = {}): EventHandler<{ body?: never }, Promise<void>> {
  const viaHttpsProxy = trustedForwardedHttps(options.trustProxy, "h3Session trustProxy");
  const isHttps = ({ socket, headers }: IncomingMessage): boolean =>
    (socket as TLSSocket | null)?.encrypted === true ||
    viaHttpsProxy?.({ peerAddress: socket?.remoteAddress, forwardedFor: headers["x-forwarded-for"], forwardedProto: headers["x-forwarded-proto"] }) === true;
  const storeOutageOf = storeOutageChooser<H3Event>(options.storeOutage, "h3Session storeOutage");

  return defineEventHandler(async (event) => {
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
  });
}

/**
 * The event's session typed with a manager's own data type `D`, for apps
 * that use `createSessionManager<D>()` instead of the app-wide `SessionData`
 * (which types `event.context.session` itself). A cast: no work per call.
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
