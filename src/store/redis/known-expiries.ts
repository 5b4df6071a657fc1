import { decodeSessionExpiry, type SessionExpiry } from "../../core/expiry.js";
import { EXPIRY_FIELD } from "../../core/record-fields.js";
import type { SessionWrite } from "../../core/store.js";

/** Sessions whose expiry is remembered at most; about 1 MB when full. */
const MAX_ENTRIES = 10_000;

/**
 * What this process last learned of each session's expiry (epoch ms, app
 * clock), from its own loads and writes. It lets a read skip the Lua load
 * script, which costs Redis several times a plain HGETALL, whenever the
 * renewal cannot be due yet. Safe across instances because a session's
 * expiry only ever moves later: a remembered expiry is never later than the
 * real one, so the "not due yet" decision errs toward running the script.
 * A session destroyed or regenerated elsewhere simply reads back empty.
 *
 * @example
 * ```ts
 * const expiries = knownExpiries();
 * expiries.remember(id, now + ttlMs);
 * expiries.get(id); // epoch ms or undefined
 * ```
 */
export function knownExpiries(): {
  get(id: string): number | undefined;
  remember(id: string, expiresAt: number): void;
  forget(id: string): void;
} {
  const expiries = new Map<string, number>();
  return {
    get: (id) => expiries.get(id),
    remember(id, expiresAt) {
      // Re-inserting moves the id to the end: the oldest entry goes first.
      expiries.delete(id);
      if (expiries.size >= MAX_ENTRIES) expiries.delete(expiries.keys().next().value!);
      expiries.set(id, expiresAt);
    },
    forget: (id) => void expiries.delete(id),
  };
}

/**
 * The own expiry (`session.setExpiry`, {@link EXPIRY_FIELD}) of the
 * sessions this process last read or wrote that have one, so that the
 * plain-read shortcut asks "could a renewal be due?" with the session's
 * idle timeout, not the manager's (a remember-me session's expiry is weeks
 * away, and under the manager's idle timeout a renewal would never look due).
 * Relearned from the fields of every read, so a setting changed on another
 * instance is picked up by the next read here; a forgotten entry means the
 * manager's timeouts, and the next read relearns it.
 *
 * @example
 * ```ts
 * const own = knownSessionExpiries();
 * own.learn(id, fields);
 * own.get(id); // SessionExpiry or undefined
 * ```
 */
export function knownSessionExpiries(): {
  get(id: string): SessionExpiry | undefined;
  /** Learns the own expiry of a read record; true when it differs from the one known before. */
  learn(id: string, fields: ReadonlyMap<string, string>): boolean;
  learnWrite(id: string, write: SessionWrite): void;
  forget(id: string): void;
} {
  const own = new Map<string, SessionExpiry>();
  function set(id: string, text: string | undefined): void {
    const expiry = decodeSessionExpiry(text);
    own.delete(id);
    if (expiry === undefined) return;
    if (own.size >= MAX_ENTRIES) own.delete(own.keys().next().value!);
    own.set(id, expiry);
  }
  return {
    get: (id) => own.get(id),
    learn(id, fields) {
      const text = fields.get(EXPIRY_FIELD);
      const before = own.get(id);
      if (text === undefined && before === undefined) return false;
      set(id, text);
      const after = own.get(id);
      return before?.idleTimeoutMs !== after?.idleTimeoutMs || before?.absoluteTimeoutMs !== after?.absoluteTimeoutMs;
    },
    learnWrite(id, write) {
      const entry = write.set.find(([field]) => field === EXPIRY_FIELD);
      if (entry !== undefined) set(id, entry[1]);
      else if (write.kind === "create" || write.del.includes(EXPIRY_FIELD)) own.delete(id);
      if (write.kind === "create" && write.replaces !== undefined) own.delete(write.replaces);
    },
    forget: (id) => void own.delete(id),
  };
}
