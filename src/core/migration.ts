/**
 * The port through which another session library's live sessions become
 * Tessera sessions on their first request (the `migrate` option), and the
 * one step of `load` that uses it. The old library's formats (cookie
 * signing, record layout, Redis client) live behind the port, in
 * `src/migrate/`; this module knows only Tessera's side: the store, the
 * expiry rules and the handle.
 *
 * Security argument (also in docs/migrating.md):
 * - The Tessera token of a migrated session is derived from the old session
 *   id by an HMAC under a key the attacker does not have
 *   ({@link LegacySessionSource.tokenFor}), so every concurrent first
 *   request of a user targets the same record (create-if-absent: one wins,
 *   the others load it), and the old cookie, which was the credential for
 *   that session, is worth exactly what it was before the switch.
 * - Only an old cookie whose signature verifies (in constant time) costs a
 *   round trip; forged ones are ignored before any store call.
 * - The old cookie reaches a Tessera session only while the old record
 *   exists (the migration itself), or within the grace window after the
 *   migration (requests sent before the browser stored the new cookie).
 *   The migration removes the old record, and its expiry was cut to the
 *   grace window in the same round trip as the create, so it is gone
 *   within the window even if the removal is lost: after the window, even
 *   a stolen old cookie is dead, and replaying it after a Tessera logout
 *   finds nothing to bring back. A kept record (`keep: true`) is marked
 *   migrated before the response instead.
 */

import { SessionStoreError } from "./errors.js";
import { dataKeyFromToken, sealField } from "./field-cipher.js";
import { targetTtlMs } from "./expiry.js";
import type { ResolvedOptions, StoreOutagePolicy } from "./options.js";
import { CREATED_AT_FIELD } from "./record-fields.js";
import { assertUsableKey, encodeValue } from "./serialize.js";
import { SessionHandle } from "./session-handle.js";
import type { RequestFacts } from "./session.js";
import type { StoredSession } from "./store.js";
import { withStoreDeadline } from "./timeout.js";
import { sessionIdFromToken } from "./token.js";

/** An old library's session as read from its store: the data keys and when it would have expired. */
export interface LegacyRecord {
  /** The session's data keys, the old library's bookkeeping (`cookie`, `_expire`...) already dropped. */
  readonly data: Readonly<Record<string, unknown>>;
  /** When the old session would have expired (epoch ms), from its TTL and its own expiry field, whichever is sooner. */
  readonly expiresAt: number;
}

/**
 * What {@link LegacySessionSource.read} found: a record, nothing
 * (`undefined`: absent, expired or already migrated), or a record it cannot
 * read (`{ unreadable }`: corrupt, not JSON), which is left as it is.
 */
export type LegacyRead = LegacyRecord | undefined | { readonly unreadable: Error };

/**
 * The `migrate` option of `createSessionManager`: an old session library's
 * side of a migration. Made by `fromExpressSession`, `fromFastifySession`
 * or `fromKoaSession` from `tessera-session/migrate`; implement it for another
 * library the same way.
 *
 * @example
 * ```ts
 * import { createSessionManager } from "tessera-session";
 * import { memoryStore } from "tessera-session/memory";
 * import type { LegacySessionSource } from "tessera-session";
 *
 * declare const migrate: LegacySessionSource;
 * createSessionManager({ store: memoryStore(), migrate });
 * ```
 */
export interface LegacySessionSource {
  /** The old library's name, for messages ("express-session"). */
  readonly library: string;
  /**
   * How long after its migration a session still answers to the old cookie
   * (requests already in flight, or sent before the browser stored the new
   * cookie), in ms.
   */
  readonly graceMs: number;
  /**
   * The old session id of the first old cookie in the header whose
   * signature verifies, or undefined. Pure CPU, no I/O: a request without
   * a valid old cookie costs no store call. Never throws.
   */
  verifiedId(cookieHeader: string | undefined): string | undefined;
  /** The Tessera token for an old session id: the same for every request and instance, unguessable without the key. */
  tokenFor(legacyId: string): string;
  /** Reads the old record in one round trip. */
  read(legacyId: string, now: number): Promise<LegacyRead>;
  /**
   * True when the old record is kept (and marked migrated by `retire`):
   * then `retire` is awaited before the response, the marker being all
   * that keeps the old cookie from migrating again.
   */
  readonly keepsRecord: boolean;
  /**
   * Cuts the old record's remaining lifetime to the grace window (never
   * lengthens it); nothing when the record is kept. Sent with the create,
   * so a migration that fails half-way loses nothing within the window.
   */
  claim(legacyId: string): Promise<void>;
  /**
   * Gives the old record back the lifetime it had when read (`record`),
   * after a create that failed: whether or not the claim landed, the old
   * session then lives as long as before the attempt. Best effort.
   */
  unclaim(legacyId: string, record: LegacyRecord, now: number): Promise<void>;
  /** Removes the old record (or marks it migrated, when it is kept); idempotent. */
  retire(legacyId: string, record: LegacyRecord, now: number): Promise<void>;
  /** Set-Cookie values that delete the old cookie(s) on the client. */
  clearingCookies(requestIsSecure: boolean): readonly string[];
  /** Told about a record that could not be migrated (it is left in place). Must not throw. */
  report(error: Error): void;
}

/**
 * The handle, its response also clearing the old library's cookie(s): after
 * a migration, or after an old cookie was found dead. The clearing rides in
 * the handle's delivery, so it reaches every adapter with the session's own
 * headers (`manager.commitResponse`).
 */
function withOldCookieCleared<D extends object>(handle: SessionHandle<D>, source: LegacySessionSource, facts: RequestFacts): SessionHandle<D> {
  handle.delivery.alsoClear(source.clearingCookies(facts.secure));
  return handle;
}

/** A record's fields as the store keeps them; throws for data Tessera cannot store (left to the caller to report). */
function recordFields(options: ResolvedOptions, token: string, data: Readonly<Record<string, unknown>>, createdAt: number): Map<string, string> {
  const fields = new Map<string, string>([[CREATED_AT_FIELD, String(createdAt)]]);
  const key = options.encryptData ? dataKeyFromToken(token) : undefined;
  let bytes = 0;
  for (const [name, value] of Object.entries(data)) {
    if (value === undefined) continue;
    assertUsableKey(name);
    const json = encodeValue(name, value);
    bytes += Buffer.byteLength(name) + Buffer.byteLength(json);
    fields.set(name, key === undefined ? json : sealField(key, name, json));
  }
  if (bytes > options.maxSessionBytes) throw new RangeError(`the session is ${bytes} bytes, over maxSessionBytes (${options.maxSessionBytes})`);
  return fields;
}

/**
 * `load` for a request without a Tessera cookie when `migrate` is set:
 * the migrated session when the request carries a valid old cookie, else a
 * new session. A request without a valid old cookie costs nothing. One that
 * migrates costs two round trips before the response (read the old record;
 * create the Tessera record while cutting the old one's expiry to the grace
 * window, undone if the create fails), and the old record's removal is
 * sent after, off the response's path. With `keep: true`, marking the kept record is a third, awaited.
 * A concurrent request that loses the create loads the winner's record (a
 * third round trip); one arriving after the migration reads and loads (two).
 *
 * @throws SessionStoreError under the `"fail"` outage policy, as `load` does.
 */
export async function loadLegacySession<D extends object>(
  options: ResolvedOptions,
  source: LegacySessionSource,
  cookieHeader: string | undefined,
  facts: RequestFacts,
  outage: StoreOutagePolicy,
): Promise<SessionHandle<D>> {
  const legacyId = source.verifiedId(cookieHeader);
  if (legacyId === undefined) return new SessionHandle<D>(options, facts);
  try {
    return await migrate<D>(options, source, legacyId, facts);
  } catch (error) {
    // Nothing was lost: the old record is removed only after the Tessera
    // record exists (its expiry cut to the grace window at most), and the
    // old cookie is left alone, so a retry migrates.
    if (outage === "anonymous" && error instanceof SessionStoreError) return SessionHandle.unavailable<D>(options, facts, error);
    throw error;
  }
}

/**
 * Retires the old record once the Tessera record exists. A kept record's
 * marker is awaited (it alone stops a second migration); a removal is not:
 * the claim already bounds the record's life to the grace window, so a
 * lost removal costs nothing but that window, and the response does not
 * wait a round trip for it.
 */
async function retire(options: ResolvedOptions, source: LegacySessionSource, legacyId: string, record: LegacyRecord, now: number): Promise<void> {
  const retiring = withStoreDeadline("migrate", options.storeTimeoutMs, () => source.retire(legacyId, record, now));
  if (source.keepsRecord) return retiring;
  retiring.catch(() => undefined);
}

async function migrate<D extends object>(
  options: ResolvedOptions,
  source: LegacySessionSource,
  legacyId: string,
  facts: RequestFacts,
): Promise<SessionHandle<D>> {
  const { store, clock, policy, storeTimeoutMs } = options;
  const token = source.tokenFor(legacyId);
  const id = sessionIdFromToken(token);
  const now = clock.now();
  const found = await withStoreDeadline("migrate", storeTimeoutMs, () => source.read(legacyId, now));

  if (found !== undefined && "unreadable" in found) {
    // Not ours to judge or delete: reported, left in place, and the request
    // goes on anonymously with the old cookie untouched.
    source.report(found.unreadable);
    return new SessionHandle<D>(options, facts);
  }

  if (found !== undefined) {
    let fields: Map<string, string>;
    try {
      fields = recordFields(options, token, found.data, now);
    } catch (error) {
      source.report(new Error(`${source.library} session cannot be stored by Tessera (left in place): ${(error as Error).message}`, { cause: error }));
      return new SessionHandle<D>(options, facts);
    }
    // The old session's remaining lifetime caps the first expiry; activity
    // then renews it like any Tessera session (the old one was renewed by
    // activity too), and the absolute timeout runs from the migration.
    const ttlMs = Math.min(targetTtlMs(now, now, policy), found.expiresAt - now);
    if (ttlMs > 0) {
      // A failed claim is harmless (it only bounds how long the old record
      // outlives a lost removal, and the removal is sent below): only the
      // create's outcome counts.
      const [creating] = await Promise.allSettled([
        store.write(id, { kind: "create", set: [...fields], ttlMs }, now), // options.store carries the deadline
        withStoreDeadline("migrate", storeTimeoutMs, () => source.claim(legacyId)),
      ]);
      if (creating.status === "rejected") {
        // The claim may have landed (the old records can be on another
        // Redis than Tessera's): undo it, so that a migration that failed
        // leaves the old session its whole lifetime for the next attempt.
        await withStoreDeadline("migrate", storeTimeoutMs, () => source.unclaim(legacyId, found, now)).catch(() => undefined);
        throw creating.reason;
      }
      const result = creating.value;
      if (result === "ok") {
        await retire(options, source, legacyId, found, now);
        const stored: StoredSession = { fields, expiresAt: now + ttlMs, renewed: true };
        // `resign`: the client has no Tessera cookie yet, so it gets one now.
        const handle = SessionHandle.fromStore<D>(options, facts, token, id, stored, true);
        if (handle !== undefined) return withOldCookieCleared(handle, source, facts);
      }
      // "exists": a concurrent request of the same user migrated first; its
      // record is loaded below. "revoked"/"gone": nothing to come back to.
      if (result !== "exists") return withOldCookieCleared(new SessionHandle<D>(options, facts), source, facts);
    }
  }

  // The old record is gone (removed by the request of this user that
  // migrated it) or was just migrated concurrently: the migrated session
  // answers to the old cookie only within the grace window.
  const stored = await store.load(id, now, policy); // options.store carries the deadline
  const handle = stored && SessionHandle.fromStore<D>(options, facts, token, id, stored, true);
  if (handle !== undefined && handle.createdAt! >= now - source.graceMs) {
    if (found !== undefined) await retire(options, source, legacyId, found, now);
    return withOldCookieCleared(handle, source, facts);
  }
  return withOldCookieCleared(new SessionHandle<D>(options, facts), source, facts);
}
