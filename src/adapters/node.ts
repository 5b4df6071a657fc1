import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { SessionManager } from "../core/manager.js";
import type { Session } from "../core/session.js";
import { isUnhandledError } from "./shared/failed-request.js";
import { holdResponseUntilCommitted } from "./shared/hold-response.js";
import { plainErrorAnswer } from "./shared/plain-error-answer.js";
import { storeOutageChooser, type StoreOutageOption } from "./shared/store-outage.js";
import { trustedForwardedHttps, type TrustProxyOption } from "./shared/trust-proxy.js";

/** Options of {@link nodeSession}: `storeOutage`, a policy or a function of `req`, `trustProxy` and `onError`. */
export interface NodeSessionOptions extends StoreOutageOption<IncomingMessage>, TrustProxyOption {
  /**
   * Answers a request whose session could not be loaded or committed (a
   * `SessionStoreError`, status 503) or whose handler threw (with
   * {@link NodeSessions.handler}). Default: a plain-text response with the
   * error's `status` (or 500), or cutting the response if headers were sent.
   */
  onError?: (error: unknown, req: IncomingMessage, res: ServerResponse) => void;
}

/** A `node:http` request handler that also receives the request's session. */
export type NodeSessionHandler<D extends object> = (
  req: IncomingMessage,
  res: ServerResponse,
  session: Session<D>,
) => unknown;

/** Sessions for plain `node:http` servers, returned by {@link nodeSession}. */
export interface NodeSessions<D extends object> {
  /**
   * Loads the request's session and holds `res.end` until its changes are
   * committed (Set-Cookie attached), so a redirect's target already sees
   * them. Call it once per request, before writing anything.
   *
   * @throws SessionStoreError (status 503) when the store is down or slow,
   * unless `storeOutage` lets the request go on anonymously.
   *
   * @example
   * ```ts
   * http.createServer(async (req, res) => {
   *   const session = await tessera.forRequest(req, res);
   *   session.data.visits = (session.data.visits ?? 0) + 1;
   *   res.end(`visit ${session.data.visits}`);
   * });
   * ```
   */
  forRequest(req: IncomingMessage, res: ServerResponse): Promise<Session<D>>;
  /**
   * Wraps a handler: loads the session, passes it as the third argument,
   * and sends every error (store failures at load or commit, or the
   * handler's own) to `onError`. A handler error without a 4xx `status`
   * fails the request: its session changes are discarded (see the
   * manager's `commitOnError`), whatever status `onError` answers with.
   *
   * @example
   * ```ts
   * http.createServer(tessera.handler(async (req, res, session) => {
   *   res.end(`Hello ${session.data.username ?? "stranger"}`);
   * }));
   * ```
   */
  handler(fn: NodeSessionHandler<D>): (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * Tessera for plain `node:http` (and `node:https`) servers, with no
 * framework: `forRequest(req, res)` inside your handler, or wrap the handler
 * with `handler(fn)`. The session's type comes from the manager:
 * `createSessionManager<MyData>()` or the app-wide `SessionData`.
 *
 * For streamed responses, `await session.commit()` before the first write,
 * so the Set-Cookie goes out with the headers. A response with a 5xx status
 * has its session changes discarded and carries no new session cookie.
 *
 * @example
 * ```ts
 * import http from "node:http";
 * import { nodeSession } from "tessera-session/node";
 * const tessera = nodeSession(sessions, { trustProxy: "loopback" }); // behind a load balancer on this host
 * http.createServer(tessera.handler(async (req, res, session) => {
 *   if (req.url === "/login") {
 *     await session.regenerate();
 *     session.data.username = "ada";
 *   }
 *   res.end(`Hello ${session.data.username ?? "stranger"}`);
 * })).listen(3000);
 * ```
 */
export function nodeSession<D extends object>(manager: SessionManager<D>, options: NodeSessionOptions = {}): NodeSessions<D> {
  const viaHttpsProxy = trustedForwardedHttps(options.trustProxy, "nodeSession trustProxy");
  const isHttps = ({ socket, headers }: IncomingMessage): boolean =>
    (socket as TLSSocket).encrypted === true ||
    viaHttpsProxy?.({ peerAddress: socket.remoteAddress, forwardedFor: headers["x-forwarded-for"], forwardedProto: headers["x-forwarded-proto"] }) === true;
  const storeOutageOf = storeOutageChooser<IncomingMessage>(options.storeOutage, "nodeSession storeOutage");
  const onError = options.onError ?? plainErrorAnswer;

  const load = async (req: IncomingMessage, res: ServerResponse) => {
    const session = await manager.load({ cookieHeader: req.headers.cookie, headers: req.headers, secure: isHttps(req), storeOutage: storeOutageOf(req) });
    return { session, held: holdResponseUntilCommitted(res, session, manager, (error) => onError(error, req, res)) };
  };

  return {
    forRequest: async (req, res) => (await load(req, res)).session,
    handler: (fn) => async (req, res) => {
      const loaded = await load(req, res).catch((error: unknown) => onError(error, req, res));
      if (!loaded) return;
      try {
        await fn(req, res, loaded.session);
      } catch (error) {
        if (isUnhandledError(error)) loaded.held.markFailed(); // whatever status onError answers with
        onError(error, req, res);
      }
    },
  };
}

export type { TrustProxy } from "./shared/trust-proxy.js";
export { nodeCsrf, type NodeCsrf, type NodeCsrfOptions } from "./csrf/node.js";
