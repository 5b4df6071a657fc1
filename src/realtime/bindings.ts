/**
 * Which open sockets belong to which session, and the two ways a socket
 * learns that its session is over: the store's announcements (destroy,
 * regenerate, revoke, from any instance or the CLI) and a re-check at the
 * session's expiry (nothing announces an expiry). One subscription per
 * bindings object, however many sockets it holds.
 */
import type { Clock } from "../core/clock.js";
import { CREATED_AT_FIELD } from "../core/record-fields.js";
import type { SessionEndReason } from "../core/session-ends.js";
import type { SessionStore } from "../core/store.js";
import { withStoreDeadline } from "../core/timeout.js";

/** What a bound socket does when its session ends: close itself, with the reason. */
export type EndSocket = (reason: SessionEndReason) => void;

/** How long an announced end is remembered, for sockets bound just after it arrived (load and bind are not atomic). */
const RECENT_END_MS = 10_000;
/** Ids per re-check round trip. */
const RECHECK_BATCH = 500;
/** The longest delay a Node timer takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A re-check that failed (store down) is tried again this much later. */
const RECHECK_RETRY_MS = 1000;
/** Failed re-checks in a row after which the socket is closed: an expiry that cannot be checked is not extended forever. */
const MAX_RECHECK_FAILURES = 5;

interface Group {
  readonly sockets: Set<EndSocket>;
  expiresAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  failures: number;
}

/** Options of {@link SessionBindings}. */
export interface SessionBindingsOptions {
  /** The session store (undecorated: its `sessionEnds` and `userIndex`). */
  readonly store: SessionStore;
  readonly clock: Clock;
  /** Deadline of one store call (subscribe, re-check). */
  readonly storeTimeoutMs: number;
}

/**
 * Sockets grouped by session id, closed when their session ends.
 *
 * @example
 * ```ts
 * const bindings = new SessionBindings({ store, clock: systemClock, storeTimeoutMs: 1500 });
 * await bindings.ready();
 * const unbind = bindings.bind(session.id!, session.expiresAt!, (reason) => ws.close(4401, `session ${reason}`));
 * ```
 */
export class SessionBindings {
  readonly #groups = new Map<string, Group>();
  /** Ids announced as ended lately: id -> until (epoch ms). */
  readonly #recent = new Map<string, { reason: SessionEndReason; until: number }>();
  #subscription: Promise<() => void> | undefined;
  #closed = false;

  constructor(private readonly options: SessionBindingsOptions) {}

  /** Open sockets bound to a session, for metrics and tests. */
  get size(): number {
    let count = 0;
    for (const group of this.#groups.values()) count += group.sockets.size;
    return count;
  }

  /**
   * Resolves once announcements reach this process (subscribing on the
   * first call; a failed subscribe is tried again by the next call).
   * Without a feed on the store, resolves at once: sockets then learn of
   * ends only at expiry re-checks.
   *
   * @throws SessionStoreError when the subscription cannot be made in time.
   */
  async ready(): Promise<void> {
    const feed = this.options.store.sessionEnds;
    if (feed === undefined || this.#closed) return;
    if (this.#subscription === undefined) {
      const subscribing = withStoreDeadline("subscribe", this.options.storeTimeoutMs, () =>
        feed.subscribe({ ended: (end) => this.#ended(end.reason, end.ids), resync: () => this.#recheckAll() }),
      );
      this.#subscription = subscribing;
      subscribing.then(
        (stop) => {
          if (this.#closed) stop();
        },
        () => {
          if (this.#subscription === subscribing) this.#subscription = undefined;
        },
      );
    }
    await this.#subscription;
  }

  /**
   * Binds a socket to session `id`, expiring at `expiresAt` (epoch ms).
   * If the session was announced as ended a moment ago, `end` runs at once.
   * Returns the unbind function (call it when the socket closes).
   */
  bind(id: string, expiresAt: number, end: EndSocket): () => void {
    const recent = this.#recent.get(id);
    if (recent !== undefined && recent.until > this.options.clock.now()) {
      queueMicrotask(() => end(recent.reason));
      return () => undefined;
    }
    let group = this.#groups.get(id);
    if (group === undefined) {
      group = { sockets: new Set(), expiresAt, timer: undefined, failures: 0 };
      this.#groups.set(id, group);
      this.#schedule(id, group);
    } else if (expiresAt > group.expiresAt) {
      group.expiresAt = expiresAt;
      this.#schedule(id, group);
    }
    const own: EndSocket = (reason) => end(reason);
    group.sockets.add(own);
    return () => {
      const current = this.#groups.get(id);
      if (current === undefined || !current.sockets.delete(own) || current.sockets.size > 0) return;
      clearTimeout(current.timer);
      this.#groups.delete(id);
    };
  }

  /** Stops listening and forgets every socket (without closing them). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const group of this.#groups.values()) clearTimeout(group.timer);
    this.#groups.clear();
    const subscription = this.#subscription;
    this.#subscription = undefined;
    if (subscription) await subscription.then((stop) => stop(), () => undefined);
  }

  #ended(reason: SessionEndReason, ids: readonly string[]): void {
    const now = this.options.clock.now();
    for (const [id, entry] of this.#recent) if (entry.until <= now) this.#recent.delete(id);
    for (const id of ids) {
      this.#recent.set(id, { reason, until: now + RECENT_END_MS });
      this.#endGroup(id, reason);
    }
  }

  #endGroup(id: string, reason: SessionEndReason): void {
    const group = this.#groups.get(id);
    if (group === undefined) return;
    this.#groups.delete(id);
    clearTimeout(group.timer);
    for (const end of group.sockets) end(reason);
  }

  #schedule(id: string, group: Group, delayMs?: number): void {
    clearTimeout(group.timer);
    const delay = delayMs ?? Math.max(0, group.expiresAt - this.options.clock.now());
    group.timer = setTimeout(() => void this.#recheck([id]), Math.min(delay, MAX_TIMER_MS));
    group.timer.unref?.();
  }

  /** After a lost feed connection: every bound session is checked, since ends may have been missed. */
  #recheckAll(): void {
    const ids = [...this.#groups.keys()];
    for (let first = 0; first < ids.length; first += RECHECK_BATCH) void this.#recheck(ids.slice(first, first + RECHECK_BATCH));
  }

  /**
   * Reads the sessions' expiry without touching it (a listing's inspect:
   * no renewal, no data read): gone or past its expiry ends the group,
   * otherwise the next check is at the new expiry (HTTP requests renewed it).
   */
  async #recheck(ids: string[]): Promise<void> {
    const index = this.options.store.userIndex;
    const now = this.options.clock.now();
    if (index === undefined) {
      // Without a user index the store cannot be asked without renewing: the expiry known at binding stands.
      for (const id of ids) this.#endGroup(id, "expired");
      return;
    }
    let summaries;
    try {
      summaries = await withStoreDeadline("list", this.options.storeTimeoutMs, () => index.inspect(ids, now));
    } catch {
      for (const id of ids) {
        const group = this.#groups.get(id);
        if (group === undefined) continue;
        if (++group.failures >= MAX_RECHECK_FAILURES) this.#endGroup(id, "expired");
        else this.#schedule(id, group, RECHECK_RETRY_MS);
      }
      return;
    }
    ids.forEach((id, i) => {
      const group = this.#groups.get(id);
      if (group === undefined) return;
      const summary = summaries[i];
      // No creation time: a revoke's tombstone, not a session.
      if (summary === undefined || !summary.fields.has(CREATED_AT_FIELD) || summary.expiresAt <= now) return this.#endGroup(id, "expired");
      group.failures = 0;
      group.expiresAt = summary.expiresAt;
      this.#schedule(id, group);
    });
  }
}
