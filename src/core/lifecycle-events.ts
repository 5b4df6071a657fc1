/**
 * Lifecycle events: typed hooks the manager calls after a session is
 * created, regenerated, destroyed, revoked or found expired. A hook runs
 * after the store acknowledged what it reports, in a later event-loop turn
 * (`setImmediate`), so it never delays the response; whatever it throws or
 * rejects with goes to `onHookError`, never to the request. Events are seen
 * in the process that caused them (or, for `expired`, that noticed): see
 * docs/lifecycle.md for exactly what is delivered where.
 */
import { SessionConfigError } from "./errors.js";
import { knownKeys } from "./known-keys.js";

/**
 * Why a session was revoked:
 * - `"user"`: `revokeUserSessions(userId)` without `exceptId`, the user's
 *   "log out everywhere";
 * - `"other-device"`: from another of the user's sessions:
 *   `revokeUserSessions(userId, { exceptId })` ("everywhere else"), or
 *   `revokeSession(id, { userId })` (one session, from the user's list);
 * - `"cap"`: evicted by a new sign-in over `maxSessionsPerUser`;
 * - `"app"`: `revokeSession(id)` without a `userId`: the app acting on its
 *   own (an admin page, a fraud rule).
 *
 * Revocations by an operator with the CLI happen in the CLI's process:
 * they are no event of an app's manager (docs/lifecycle.md).
 */
export type RevokeCause = "user" | "other-device" | "cap" | "app";

/** What every event carries. */
interface SessionEventBase {
  /** The session's public id (never its token). */
  readonly id: string;
  /** When it happened, by the manager's clock (epoch ms). */
  readonly at: number;
}

/** A session was stored for the first time: a first write, a sign-in on a new visitor, a migration. */
export interface SessionCreatedEvent extends SessionEventBase {
  /** The user it was bound to at creation (`bindUser` before the first commit), if any. */
  readonly userId: string | undefined;
}

/** A session's token was rotated (`regenerate()`, or `bindUser()` on a stored session): `previousId` is dead, `id` carries on. */
export interface SessionRegeneratedEvent extends SessionEventBase {
  readonly previousId: string;
  /** The user the new record is bound to, if any (a sign-in binds here). */
  readonly userId: string | undefined;
}

/**
 * A session was deleted by `session.destroy()` (a logout), or by a commit
 * that replaced it with nothing. Delivered once the delete is acknowledged,
 * also when the record had already gone (destroying is idempotent).
 */
export type SessionDestroyedEvent = SessionEventBase;

/** A session was revoked by this process's manager (see {@link RevokeCause}). */
export interface SessionRevokedEvent extends SessionEventBase {
  /** The user it was bound to. */
  readonly userId: string | undefined;
  readonly cause: RevokeCause;
  /** With `"other-device"` through `revokeUserSessions`: the session that asked (its `exceptId`). */
  readonly byId: string | undefined;
}

/**
 * A session was found gone without this process having ended it: a
 * request presented its token (`seenBy: "request"`), or a user's index
 * still listed it (`seenBy: "index"`, the entry then pruned). Usually the
 * idle or absolute timeout; it may also be a session ended elsewhere
 * (another instance, the CLI) whose client still held the token. Never
 * delivered for a session that expires unseen: no keyspace notifications.
 */
export interface SessionExpiredEvent extends SessionEventBase {
  readonly seenBy: "request" | "index";
  /** Known when seen in an index. */
  readonly userId: string | undefined;
}

/** Each event's payload, by name. */
export interface SessionEventMap {
  created: SessionCreatedEvent;
  regenerated: SessionRegeneratedEvent;
  destroyed: SessionDestroyedEvent;
  revoked: SessionRevokedEvent;
  expired: SessionExpiredEvent;
}

/** An event's name. */
export type SessionEventName = keyof SessionEventMap;

/** A hook: may be async; its result is not awaited by any request. */
export type SessionEventHook<E> = (event: E) => void | Promise<void>;

/**
 * The manager's `on` option: one hook per event, each optional.
 *
 * @example
 * ```ts
 * import { createSessionManager } from "tessera-session";
 * import { memoryStore } from "tessera-session/memory";
 *
 * const sessions = createSessionManager({
 *   store: memoryStore(),
 *   on: {
 *     regenerated: ({ userId, previousId, id }) => console.log("signed in", userId, previousId, "->", id),
 *     revoked: ({ id, cause }) => console.log("revoked", id, cause),
 *   },
 *   onHookError: (error, { event }) => console.error(`session ${event} hook failed`, error),
 * });
 * ```
 */
export type SessionEventHooks = { readonly [E in SessionEventName]?: SessionEventHook<SessionEventMap[E]> };

/** The manager's `onHookError` option: told of a hook that threw or rejected. Default: `console.error`. */
export type HookErrorHandler = (error: unknown, context: { readonly event: SessionEventName; readonly payload: SessionEventMap[SessionEventName] }) => void;

const EVENT_NAMES = knownKeys<SessionEventMap>({ created: true, regenerated: true, destroyed: true, revoked: true, expired: true });

/** Calls the hooks. `has` lets callers skip building a payload nobody receives. */
export interface SessionEvents {
  has(event: SessionEventName): boolean;
  emit<E extends SessionEventName>(event: E, payload: SessionEventMap[E]): void;
}

const defaultHookError: HookErrorHandler = (error, { event }) => {
  console.error(`tessera-session: the "${event}" hook failed`, error);
};

/**
 * Validates the `on` and `onHookError` options. Undefined without hooks:
 * the manager then observes nothing, at no cost.
 *
 * @throws SessionConfigError for an unknown event name or a hook that is not a function.
 */
export function resolveEventHooks(on: SessionEventHooks | undefined, onHookError: HookErrorHandler | undefined): SessionEvents | undefined {
  if (onHookError !== undefined && typeof onHookError !== "function") throw new SessionConfigError("onHookError must be a function.");
  if (on === undefined) return undefined;
  if (on === null || typeof on !== "object") throw new SessionConfigError("on must be an object of hooks, e.g. on: { created: (event) => ... }.");
  const hooks = new Map<SessionEventName, SessionEventHook<never>>();
  for (const [name, hook] of Object.entries(on)) {
    if (!EVENT_NAMES.has(name)) throw new SessionConfigError(`Unknown session event on.${name}; events are ${[...EVENT_NAMES].join(", ")}.`);
    if (hook === undefined) continue;
    if (typeof hook !== "function") throw new SessionConfigError(`on.${name} must be a function.`);
    hooks.set(name as SessionEventName, hook as SessionEventHook<never>);
  }
  if (hooks.size === 0) return undefined;
  return sessionEvents(hooks, onHookError ?? defaultHookError);
}

function sessionEvents(hooks: ReadonlyMap<SessionEventName, SessionEventHook<never>>, onHookError: HookErrorHandler): SessionEvents {
  function report(error: unknown, event: SessionEventName, payload: SessionEventMap[SessionEventName]): void {
    try {
      onHookError(error, { event, payload });
    } catch (reportError) {
      // The error handler itself failed: the last place left is the console.
      defaultHookError(reportError, { event, payload });
    }
  }
  return {
    has: (event) => hooks.has(event),
    emit(event, payload) {
      const hook = hooks.get(event) as SessionEventHook<typeof payload> | undefined;
      if (hook === undefined) return;
      // A later turn, not a microtask: the response that caused the event is
      // sent first, and a slow or throwing hook cannot reach the request.
      setImmediate(() => {
        try {
          const result = hook(payload);
          if (result !== undefined && typeof (result as Promise<void>).then === "function") {
            (result as Promise<void>).then(undefined, (error: unknown) => report(error, event, payload));
          }
        } catch (error) {
          report(error, event, payload);
        }
      });
    },
  };
}
