/**
 * Sessions for `ws` WebSockets (`tessera-session/ws`): the session is
 * loaded at the upgrade, the upgrade refused without one when the app asks,
 * and the socket closed with code {@link SESSION_ENDED_CLOSE_CODE} within a
 * second of its session ending on any instance. See docs/websockets.md.
 *
 * @module
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket, WebSocketServer } from "ws";
import type { SessionManager } from "../core/manager.js";
import type { SessionData } from "../core/session-data.js";
import type { SessionEndReason } from "../core/session-ends.js";
import type { Session } from "../core/session.js";
import { BoundSockets, SESSION_ENDED_CLOSE_CODE, SessionEndedError, SocketSessions, sessionEndedReason, type Refusal, type SocketSessionOptions } from "./socket-sessions.js";

export { SESSION_ENDED_CLOSE_CODE, SessionEndedError, sessionEndedReason };
export type { SocketSessionOptions };
export type { SessionEndReason };

/** A closed socket that does not finish the closing handshake is cut this long after its session ended. */
const CLOSE_GRACE_MS = 1000;

/** Options of {@link wsSessions}. */
export interface WsSessionOptions<D extends object> extends SocketSessionOptions<D> {
  /**
   * Called with an unexpected error during an upgrade (not a refusal, not
   * a store outage: a bug), after the upgrade was answered with 500.
   * Default: `console.error`.
   */
  onError?: (error: unknown, request: IncomingMessage) => void;
}

/** What {@link wsSessions} returns. */
export interface WsSessions<D extends object> {
  /**
   * `wss.handleUpgrade` with the session: loads it, refuses the upgrade
   * (401, or 503 in a store outage under the `"fail"` policy) when the
   * options say so, else completes it and calls `callback` with the open
   * socket, bound to its session. Never rejects.
   */
  handleUpgrade(
    server: WebSocketServer,
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: (ws: WebSocket, session: Session<D>, request: IncomingMessage) => void,
  ): Promise<void>;
  /** The socket's session as last loaded (at the upgrade or by {@link update}); undefined for a socket not upgraded here. */
  sessionOf(ws: WebSocket): Session<D> | undefined;
  /** How the socket's session ended, once it has (the socket is closing). */
  endedBy(ws: WebSocket): SessionEndReason | undefined;
  /**
   * Changes the socket's session and commits it as an HTTP request would:
   * read afresh, only changed keys written, nothing written to an ended
   * session, and the expiry not moved. An HTTP request sees the change at once.
   *
   * @throws SessionEndedError when the session is over (the socket is being closed).
   * @throws SessionStoreError when the store is down or slow.
   */
  update(ws: WebSocket, change: (session: Session<D>) => void | Promise<void>): Promise<void>;
  /** Open sockets bound to a session. */
  readonly size: number;
  /** Stops listening for session ends (sockets stay open; close your server first). */
  close(): Promise<void>;
}

const STATUS_TEXT = { 401: "Unauthorized", 500: "Internal Server Error", 503: "Service Unavailable" } as const;

/** Answers an upgrade with a plain HTTP error and closes the connection. */
function refuse(socket: Duplex, status: 401 | 500 | 503, body: string, extra: readonly string[] = []): void {
  if (socket.destroyed) return;
  const head = [`HTTP/1.1 ${status} ${STATUS_TEXT[status]}`, "Connection: close", "Content-Type: text/plain; charset=utf-8", `Content-Length: ${Buffer.byteLength(body)}`, ...extra];
  socket.once("finish", () => socket.destroy());
  socket.end(`${head.join("\r\n")}\r\n\r\n${body}`);
}

function refusalHeaders(refusal: Refusal): string[] {
  return refusal.status === 503 ? ["Retry-After: 5"] : [];
}

/**
 * Session-aware upgrades for a `ws` server in `noServer` mode.
 *
 * @typeParam D - the session data shape.
 *
 * @example
 * ```ts
 * import { WebSocketServer } from "ws";
 * import { wsSessions } from "tessera-session/ws";
 *
 * const wss = new WebSocketServer({ noServer: true });
 * const live = wsSessions(sessions, { requireSession: (s) => s.userId !== undefined });
 * server.on("upgrade", (request, socket, head) => {
 *   void live.handleUpgrade(wss, request, socket, head, (ws, session) => {
 *     ws.send(`hello ${String(session.data.username)}`);
 *   });
 * });
 * ```
 */
export function wsSessions<D extends object = SessionData>(manager: SessionManager<D>, options: WsSessionOptions<D> = {}): WsSessions<D> {
  const sockets = new SocketSessions<D>(manager, options);
  const bound = new BoundSockets<WebSocket, D>(sockets, "This WebSocket was not upgraded by this wsSessions helper");
  const onError = options.onError ?? ((error: unknown) => console.error("tessera-session/ws: upgrade failed", error));

  return Object.assign(bound, {
    async handleUpgrade(server, request, socket, head, callback) {
      try {
        const admission = await sockets.admit(request);
        if (!admission.admitted) return refuse(socket, admission.status, admission.message, refusalHeaders(admission));
        if (socket.destroyed) return; // the client left while the session loaded
        server.handleUpgrade(request, socket, head, (ws) => {
          const binding = sockets.bind(admission.session, request, (reason) => {
            ws.close(SESSION_ENDED_CLOSE_CODE, sessionEndedReason(reason));
            // A client that never answers the close is cut: the session is over either way.
            setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
          });
          bound.track(ws, binding);
          ws.once("close", () => binding.unbind());
          callback(ws, admission.session, request);
        });
      } catch (error) {
        refuse(socket, 500, "Internal Server Error");
        onError(error, request);
      }
    },
  } satisfies Pick<WsSessions<D>, "handleUpgrade">);
}
