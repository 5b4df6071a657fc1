/**
 * Session ends, announced: the port through which a store tells every
 * instance that sessions ended (destroyed, regenerated away, revoked), so
 * that long-lived connections bound to them (WebSockets) close at once
 * instead of at their next request. Expiry is not announced: nothing
 * happens in the store when a session expires, so listeners re-check at the
 * session's expiry instead. No keyspace notifications are involved.
 *
 * The core announces through {@link announcingSessionEnds}, a decorator of
 * the store; `redisStore` applies it with a Redis pub/sub feed, so the
 * manager, the CLI and any other writer announce alike.
 */
import type { CreateWrite, SessionStore, UserIndexStore, WriteResult } from "./store.js";

/**
 * Why sessions ended: `"destroyed"` (`session.destroy()`, a logout),
 * `"regenerated"` (the token was rotated: the old id is dead, the user may
 * still be signed in under a new one), `"revoked"` (`revokeSession`,
 * `revokeUserSessions`, an eviction over `maxSessionsPerUser`, the CLI), or
 * `"expired"` (found by a listener's own re-check; never announced).
 */
export type SessionEndReason = "destroyed" | "regenerated" | "revoked" | "expired";

/** The reasons a feed carries (expiry is found, not announced). */
export type AnnouncedEndReason = Exclude<SessionEndReason, "expired">;

/** One announcement: these session ids ended, for this reason. */
export interface SessionEnd {
  readonly reason: AnnouncedEndReason;
  /** Public session ids (never tokens). */
  readonly ids: readonly string[];
}

/** Receives a feed's announcements. */
export interface SessionEndListener {
  /** Sessions ended. Called synchronously from the feed's connection: keep it quick. */
  ended(end: SessionEnd): void;
  /**
   * The feed's connection was lost and is back: announcements may have been
   * missed meanwhile, so every bound session should be checked again.
   */
  resync?(): void;
}

/**
 * Where session ends travel between instances: Redis pub/sub for
 * `redisStore`, an in-process emitter for {@link localSessionEnds}.
 *
 * @example
 * ```ts
 * const stop = await feed.subscribe({ ended: ({ reason, ids }) => console.log(reason, ids) });
 * await feed.publish({ reason: "revoked", ids: ["bWVy..."] });
 * stop();
 * ```
 */
export interface SessionEndFeed {
  /** Announces an end to every subscriber, on every instance. */
  publish(end: SessionEnd): Promise<void>;
  /**
   * Listens for ends; resolves once listening (a later publish, from any
   * instance, reaches the listener) to a function that stops. The feed
   * keeps at most one connection however many listeners it has, and drops
   * it when the last one stops.
   */
  subscribe(listener: SessionEndListener): Promise<() => void>;
}

const REASONS: ReadonlySet<string> = new Set<AnnouncedEndReason>(["destroyed", "regenerated", "revoked"]);

/** The wire text of an end: the reason, then the ids, space-separated (ids are base64url). */
export function encodeSessionEnd(end: SessionEnd): string {
  return [end.reason, ...end.ids].join(" ");
}

/** Reads {@link encodeSessionEnd}'s text; undefined for anything else (a foreign publisher on the channel). */
export function decodeSessionEnd(text: string): SessionEnd | undefined {
  const [reason, ...ids] = text.split(" ");
  if (reason === undefined || !REASONS.has(reason) || ids.length === 0) return undefined;
  if (!ids.every((id) => /^[A-Za-z0-9_-]{1,128}$/.test(id))) return undefined;
  return { reason: reason as AnnouncedEndReason, ids };
}

/**
 * An in-process feed: ends reach listeners of this process only. The
 * memory store announces on one of its own; a custom store for a single
 * process can too. A fleet of instances needs the Redis feed.
 *
 * @example
 * ```ts
 * const store = announcingSessionEnds(myOneProcessStore(), localSessionEnds());
 * ```
 */
export function localSessionEnds(): SessionEndFeed {
  const listeners = new Set<SessionEndListener>();
  return {
    async publish(end) {
      for (const listener of [...listeners]) listener.ended(end);
    },
    async subscribe(listener) {
      const own = { ...listener };
      listeners.add(own);
      return () => void listeners.delete(own);
    },
  };
}

/**
 * Collects the ends announced in one event-loop turn into one publish per
 * reason: a "log out everywhere" revokes its batch in parallel, and its
 * hundreds of ids then cost one message, not hundreds.
 */
function batchedPublisher(feed: SessionEndFeed): (reason: AnnouncedEndReason, id: string) => Promise<void> {
  let pending: Map<AnnouncedEndReason, string[]> | undefined;
  let flushed: Promise<void> | undefined;
  return (reason, id) => {
    if (pending === undefined) {
      const batch = (pending = new Map());
      flushed = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        pending = undefined;
        await Promise.all([...batch].map(([r, ids]) => feed.publish({ reason: r, ids })));
      });
    }
    const ids = pending.get(reason);
    if (ids) ids.push(id);
    else pending.set(reason, [id]);
    return flushed!;
  };
}

/**
 * The store, announcing on `feed` every session end it carries out:
 * `destroy` (reason `"destroyed"`), a create that replaces a record
 * (`"regenerated"`, unless the id met an existing record, so nothing was
 * replaced), and the user index's `revoke` and `revokeEntry` when they
 * deleted a session (`"revoked"`). Reads and plain updates announce
 * nothing, so they cost the same commands as without it. The end is
 * announced after the store acknowledged it and before the call resolves;
 * a failed announcement rejects the call (the end itself stands, and
 * repeating it is harmless), so no caller believes a socket was told when
 * it was not. The feed is kept as the store's `sessionEnds`.
 *
 * @example
 * ```ts
 * const store = announcingSessionEnds(myOneProcessStore(), localSessionEnds());
 * ```
 */
export function announcingSessionEnds<S extends SessionStore>(store: S, feed: SessionEndFeed): S & { readonly sessionEnds: SessionEndFeed } {
  const announce = batchedPublisher(feed);
  const index = store.userIndex;
  const userIndex: UserIndexStore | undefined = index && {
    add: (userId, id, leaseEnd, now, removeIds) => index.add(userId, id, leaseEnd, now, removeIds),
    remove: (userId, ids) => index.remove(userId, ids),
    entries: (userId, now, range) => index.entries(userId, now, range),
    inspect: (ids, now) => index.inspect(ids, now),
    async revoke(id, userId) {
      const result = await index.revoke(id, userId);
      if (result.deleted) await announce("revoked", id);
      return result;
    },
    async revokeEntry(userId, entry, now, options) {
      const result = await index.revokeEntry(userId, entry, now, options);
      if (result === "deleted") await announce("revoked", entry.id);
      return result;
    },
  };
  function write(id: string, write: Parameters<SessionStore["write"]>[1], now: number): Promise<WriteResult> {
    const replaces = write.kind === "create" ? (write as CreateWrite).replaces : undefined;
    // A plain update ends nothing: the store's own promise, no wrapper (the commonest write).
    if (replaces === undefined) return store.write(id, write, now);
    return store.write(id, write, now).then(async (result) => {
      // "gone": the replaced record was already dead, and telling its sockets again is harmless.
      if (result !== "exists") await announce("regenerated", replaces);
      return result;
    });
  }
  // Copied by descriptor, not spread, so the store's own extras stay what
  // they are (a Redis store's prefix and key helpers, a memory store's live `size`).
  const announcing = Object.defineProperties({}, Object.getOwnPropertyDescriptors(store)) as S & { sessionEnds: SessionEndFeed };
  return Object.assign(announcing, {
    load: (id: string, now: number, policy: Parameters<SessionStore["load"]>[2]) => store.load(id, now, policy),
    write,
    async destroy(id: string) {
      await store.destroy(id);
      await announce("destroyed", id);
    },
    ...(userIndex && { userIndex }),
    sessionEnds: feed,
  });
}
