/**
 * What the `ws` and socket.io helpers share: the session loaded at the
 * upgrade (and whether the connection is admitted), the binding of the
 * socket to it, and session changes made from socket handlers. The helpers
 * only carry these onto their library's objects.
 */
import type { IncomingMessage } from "node:http";
import { SessionStoreError, TesseraError } from "../core/errors.js";
import type { SessionManager } from "../core/manager.js";
import type { StoreOutagePolicy } from "../core/options.js";
import type { SessionEndReason } from "../core/session-ends.js";
import type { Session } from "../core/session.js";
import { SessionBindings } from "./bindings.js";

/**
 * The WebSocket close code of a socket whose session ended ("4000 + 401":
 * the application range, and the HTTP status an upgrade without a session
 * gets). The close reason says why: `"session destroyed"`,
 * `"session regenerated"`, `"session revoked"` or `"session expired"`.
 */
export const SESSION_ENDED_CLOSE_CODE = 4401;

/** The close reason text of a session end: `"session revoked"`... */
export function sessionEndedReason(reason: SessionEndReason): string {
  return `session ${reason}`;
}

/**
 * A socket handler changed a session that is over (the socket is closing,
 * or the session ended since the socket opened): nothing was written.
 * `reason` says how it ended.
 *
 * @example
 * ```ts
 * try { await live.update(ws, (s) => { s.data.theme = "dark"; }); }
 * catch (error) { if (error instanceof SessionEndedError) return; throw error; }
 * ```
 */
export class SessionEndedError extends TesseraError {
  constructor(readonly reason: SessionEndReason) {
    super("TESSERA_SESSION_STATE", `The socket's session ended (${reason}); the change was not written.`);
  }
}

/**
 * Options of the socket helpers (`wsSessions`, `socketIoSessions`).
 *
 * @typeParam D - the session data shape.
 */
export interface SocketSessionOptions<D extends object> {
  /**
   * Refuse connections without a stored session (`true`), or whose session
   * fails the test (e.g. `(s) => s.userId !== undefined` for signed-in
   * users only): a `ws` upgrade gets `401 Unauthorized`, a socket.io client
   * a `connect_error` whose `data.code` is `"SESSION_REQUIRED"`. Default
   * `false`: anonymous sockets are admitted, unbound.
   */
  requireSession?: boolean | ((session: Session<D>) => boolean);
  /**
   * How a connection's session is loaded, at the upgrade and for each
   * {@link SocketSessions.update}. Default: from the upgrade request's Cookie
   * header. Replace it to take the token from elsewhere (a header, a query
   * parameter); keep `renew: false`, since no cookie can follow a renewal
   * made over a socket.
   *
   * @example
   * ```ts
   * loadSession: (request) => sessions.load({ cookieHeader: request.headers.cookie, secure: false, renew: false })
   * ```
   */
  loadSession?: (request: IncomingMessage) => Promise<Session<D>>;
  /**
   * What an upgrade gets while the store is unreachable: `"fail"` refuses it
   * (`503`, or `data.code` `"SESSION_STORE_UNAVAILABLE"`), `"anonymous"`
   * admits it unbound, unless a session is required. Default: the
   * manager's `storeOutage`. Never a hang: the store deadline bounds it.
   */
  storeOutage?: StoreOutagePolicy;
}

/** Why an upgrade was refused, for the helper to word in its library's terms. */
export interface Refusal {
  readonly status: 401 | 503;
  readonly code: "SESSION_REQUIRED" | "SESSION_STORE_UNAVAILABLE";
  readonly message: string;
}

/** The outcome of {@link SocketSessions.admit}. */
export type Admission<D extends object> = { readonly admitted: true; readonly session: Session<D> } | ({ readonly admitted: false } & Refusal);

/** A socket's tie to its session, as {@link SocketSessions.bind} makes it. */
export interface BoundSession<D extends object> {
  /** The session as last loaded (at the upgrade, or by the last update). */
  readonly session: Session<D>;
  /** How the session ended, once it has; the socket is closing then. */
  readonly endedBy: SessionEndReason | undefined;
  /** Forget the socket (it closed). */
  unbind(): void;
}

const REQUIRED: Refusal = { status: 401, code: "SESSION_REQUIRED", message: "A session is required" };
const UNAVAILABLE: Refusal = { status: 503, code: "SESSION_STORE_UNAVAILABLE", message: "The session store is unavailable; try again shortly" };

class Binding<D extends object> implements BoundSession<D> {
  endedBy: SessionEndReason | undefined;
  unbind: () => void = () => undefined;
  constructor(
    public session: Session<D>,
    readonly request: IncomingMessage,
    readonly close: (reason: SessionEndReason) => void,
  ) {}

  end(reason: SessionEndReason): void {
    if (this.endedBy !== undefined) return;
    this.endedBy = reason;
    this.unbind();
    this.close(reason);
  }
}

/**
 * Sessions of sockets, for one manager: admit at the upgrade, bind, close
 * on the session's end, change the session from handlers.
 *
 * @example
 * ```ts
 * const sockets = new SocketSessions(sessions, { requireSession: true });
 * const admission = await sockets.admit(request);
 * if (admission.admitted) sockets.bind(admission.session, request, (reason) => ws.close(SESSION_ENDED_CLOSE_CODE, sessionEndedReason(reason)));
 * ```
 */
export class SocketSessions<D extends object> {
  readonly bindings: SessionBindings;
  readonly #load: (request: IncomingMessage) => Promise<Session<D>>;

  constructor(
    private readonly manager: SessionManager<D>,
    private readonly options: SocketSessionOptions<D> = {},
  ) {
    const { store, clock, storeTimeoutMs } = manager.options;
    this.bindings = new SessionBindings({ store, clock, storeTimeoutMs });
    const storeOutage = options.storeOutage;
    this.#load =
      options.loadSession ??
      ((request) =>
        manager.load({
          cookieHeader: request.headers.cookie,
          headers: request.headers, // the manager's header transports (a native client's Authorization: Bearer) work at the upgrade too
          secure: isEncrypted(request),
          renew: false,
          ...(storeOutage !== undefined && { storeOutage }),
        }));
  }

  /**
   * Loads the upgrade's session and decides: admitted (with its session,
   * once announcements are being received, so no end can slip between the
   * load and the binding unseen), or refused and why.
   */
  async admit(request: IncomingMessage): Promise<Admission<D>> {
    let session: Session<D>;
    try {
      session = await this.#load(request);
    } catch (error) {
      if (error instanceof SessionStoreError) return { admitted: false, ...UNAVAILABLE };
      throw error;
    }
    const required = this.options.requireSession ?? false;
    if (session.unavailable) return required === false ? { admitted: true, session } : { admitted: false, ...UNAVAILABLE };
    const passes = typeof required === "function" ? !session.isNew && required(session) : !required || !session.isNew;
    if (!passes) return { admitted: false, ...REQUIRED };
    if (session.id !== undefined) {
      try {
        await this.bindings.ready();
      } catch (error) {
        // A socket that cannot hear of its session's end must not open.
        if (error instanceof SessionStoreError) return { admitted: false, ...UNAVAILABLE };
        throw error;
      }
    }
    return { admitted: true, session };
  }

  /**
   * Binds an admitted socket to its session: `close` runs once when the
   * session ends (announced, or found at its expiry). An unbound session (a
   * new one) never ends.
   */
  bind(session: Session<D>, request: IncomingMessage, close: (reason: SessionEndReason) => void): BoundSession<D> {
    const binding = new Binding(session, request, close);
    if (session.id !== undefined) {
      binding.unbind = this.bindings.bind(session.id, session.expiresAt ?? Number.MAX_SAFE_INTEGER, (reason) => binding.end(reason));
    }
    return binding;
  }

  /**
   * Changes the socket's session: loads it afresh (what HTTP requests
   * wrote is seen), runs `change`, and commits it with the rules of an HTTP
   * request (only changed keys written, in one round trip; nothing written
   * to a session that ended meanwhile). The write does not move the
   * session's expiry: socket traffic is not activity (see docs/websockets.md).
   *
   * @throws SessionEndedError when the session is over (the socket is closed with its reason).
   * @throws TypeError on a socket admitted without a stored session.
   * @throws SessionStoreError when the store is down or slow.
   */
  async update(bound: BoundSession<D>, change: (session: Session<D>) => void | Promise<void>): Promise<void> {
    const binding = bound as Binding<D>;
    if (binding.endedBy !== undefined) throw new SessionEndedError(binding.endedBy);
    const boundId = binding.session.id;
    // Its changes would start a session whose cookie no client ever gets.
    if (boundId === undefined) throw new TypeError("This socket has no stored session to change: require one with requireSession");
    const fresh = await this.#load(binding.request);
    if (fresh.id !== boundId) return this.#ended(binding);
    await change(fresh);
    await this.manager.commit(fresh);
    // A commit that met a destroyed session forgets it: the socket's session is over.
    if (fresh.id === undefined) return this.#ended(binding);
    if (binding.endedBy === undefined) binding.session = fresh;
  }

  /** Stops listening for ends (sockets stay open). */
  close(): Promise<void> {
    return this.bindings.close();
  }

  #ended(binding: Binding<D>): never {
    binding.end("expired");
    throw new SessionEndedError(binding.endedBy!);
  }
}

function isEncrypted(request: IncomingMessage): boolean {
  return (request.socket as { encrypted?: boolean }).encrypted === true;
}

/**
 * Which session each socket of one helper is bound to, and the accessors
 * every helper exposes over it (`sessionOf`, `endedBy`, `update`, `size`,
 * `close`): the ws and socket.io helpers differ only in how a socket is
 * admitted and closed.
 *
 * @example
 * ```ts
 * const bound = new BoundSockets<WebSocket, SessionData>(new SocketSessions(sessions), "not upgraded here");
 * bound.track(ws, binding);
 * bound.sessionOf(ws);
 * ```
 */
export class BoundSockets<S extends object, D extends object> {
  readonly #bound = new WeakMap<S, BoundSession<D>>();

  constructor(
    readonly sockets: SocketSessions<D>,
    private readonly notBoundMessage: string,
  ) {}

  /** Remembers `socket`'s binding (the helper unbinds it when the socket closes). */
  track(socket: S, binding: BoundSession<D>): void {
    this.#bound.set(socket, binding);
  }

  sessionOf(socket: S): Session<D> | undefined {
    return this.#bound.get(socket)?.session;
  }

  endedBy(socket: S): SessionEndReason | undefined {
    return this.#bound.get(socket)?.endedBy;
  }

  update(socket: S, change: (session: Session<D>) => void | Promise<void>): Promise<void> {
    const binding = this.#bound.get(socket);
    if (binding === undefined) return Promise.reject(new TypeError(this.notBoundMessage));
    return this.sockets.update(binding, change);
  }

  get size(): number {
    return this.sockets.bindings.size;
  }

  close(): Promise<void> {
    return this.sockets.close();
  }
}
