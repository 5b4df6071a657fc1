/**
 * Sessions for socket.io (`tessera-session/socket.io`): a middleware that
 * loads the session at the handshake, refuses the connection without one
 * when the app asks (the client's `connect_error` carries `data.code`), and
 * disconnects the socket within a second of its session ending on any
 * instance, after telling it why (the {@link SESSION_ENDED_EVENT} event).
 * See docs/websockets.md.
 *
 * @module
 */
import type { IncomingMessage } from "node:http";
import type { SessionManager } from "../core/manager.js";
import type { SessionData } from "../core/session-data.js";
import type { SessionEndReason } from "../core/session-ends.js";
import type { Session } from "../core/session.js";
import { BoundSockets, SessionEndedError, SocketSessions, type SocketSessionOptions } from "./socket-sessions.js";

export { SessionEndedError };
export type { SocketSessionOptions, SessionEndReason };

/**
 * The event a socket receives, with `{ reason }`, just before it is
 * disconnected because its session ended (`reason`: `"destroyed"`,
 * `"regenerated"`, `"revoked"` or `"expired"`). The client then sees
 * `disconnect` with `"io server disconnect"`, and socket.io does not
 * reconnect by itself.
 */
export const SESSION_ENDED_EVENT = "tessera:session-ended";

/** The pieces of a socket.io server `Socket` the helper uses (structural, so typed events fit). */
export interface SocketIoSocketLike {
  readonly request: IncomingMessage;
  emit(event: string, ...args: never[]): unknown;
  disconnect(close?: boolean): unknown;
  once(event: "disconnect", listener: () => void): unknown;
}

/** The error a refused connection gets: the client's `connect_error` sees its `message` and `data`. */
export interface SessionRefusedError extends Error {
  readonly data: { readonly code: "SESSION_REQUIRED" | "SESSION_STORE_UNAVAILABLE"; readonly status: 401 | 503 };
}

/** What {@link socketIoSessions} returns. */
export interface SocketIoSessions<D extends object> {
  /** The middleware: `io.use(live.middleware)` (or on a namespace). */
  middleware(socket: SocketIoSocketLike, next: (error?: Error) => void): void;
  /** The socket's session as last loaded (at the handshake or by {@link update}). */
  sessionOf(socket: SocketIoSocketLike): Session<D> | undefined;
  /** How the socket's session ended, once it has. */
  endedBy(socket: SocketIoSocketLike): SessionEndReason | undefined;
  /**
   * Changes the socket's session and commits it as an HTTP request would
   * (read afresh, only changed keys, nothing written to an ended session,
   * expiry not moved).
   *
   * @throws SessionEndedError when the session is over (the socket is being disconnected).
   * @throws SessionStoreError when the store is down or slow.
   */
  update(socket: SocketIoSocketLike, change: (session: Session<D>) => void | Promise<void>): Promise<void>;
  /** Open sockets bound to a session. */
  readonly size: number;
  /** Stops listening for session ends. */
  close(): Promise<void>;
}

/**
 * Session-aware socket.io connections. Works with any adapter; with
 * `@socket.io/redis-adapter`, broadcasts reach every instance while each
 * instance closes its own sockets when their sessions end.
 *
 * @typeParam D - the session data shape.
 *
 * @example
 * ```ts
 * import { Server } from "socket.io";
 * import { socketIoSessions } from "tessera-session/socket.io";
 *
 * const io = new Server(httpServer);
 * const live = socketIoSessions(sessions, { requireSession: true });
 * io.use(live.middleware);
 * io.on("connection", (socket) => {
 *   socket.emit("hello", live.sessionOf(socket)?.data.username);
 * });
 * ```
 */
export function socketIoSessions<D extends object = SessionData>(manager: SessionManager<D>, options: SocketSessionOptions<D> = {}): SocketIoSessions<D> {
  const sockets = new SocketSessions<D>(manager, options);
  const bound = new BoundSockets<SocketIoSocketLike, D>(sockets, "This socket did not pass this socketIoSessions middleware");

  return Object.assign(bound, {
    middleware(socket, next) {
      sockets.admit(socket.request).then(
        (admission) => {
          if (!admission.admitted) {
            const refused = Object.assign(new Error(admission.message), { data: { code: admission.code, status: admission.status } });
            return next(refused as SessionRefusedError);
          }
          const binding = sockets.bind(admission.session, socket.request, (reason) => {
            (socket.emit as (event: string, payload: { reason: SessionEndReason }) => unknown)(SESSION_ENDED_EVENT, { reason });
            socket.disconnect(true);
          });
          bound.track(socket, binding);
          socket.once("disconnect", () => binding.unbind());
          next();
        },
        (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
      );
    },
  } satisfies Pick<SocketIoSessions<D>, "middleware">);
}
