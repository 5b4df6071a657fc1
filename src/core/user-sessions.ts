/**
 * Users' sessions: device facts, listing, revoking and eviction over a
 * user index. The functions below take arguments the manager (the public
 * entry) has already checked with {@link assertUserId} and
 * {@link resolveListWindow}, and an index that is already under the store
 * deadline.
 */
import { SessionConfigError, SessionStoreError } from "./errors.js";
import { type IndexEntry, type SessionStore, type SessionSummary, type UserIndexStore } from "./store.js";
import { AUTHENTICATED_AT_FIELD, CREATED_AT_FIELD, DEVICE_FIELD, EXPIRY_FIELD, LAST_SEEN_FIELD, USER_ID_FIELD } from "./record-fields.js";
import { decodeSessionExpiry } from "./expiry.js";

/**
 * Facts about the device a session was signed in from, given by the app to
 * `session.bindUser`. All optional (`undefined` counts as absent, so
 * `ip: req.ip` type-checks under `exactOptionalPropertyTypes`); Tessera stores them as given (minus
 * control characters, and cut to a sane length, since user agents and
 * forwarded addresses are attacker-controlled text).
 */
export interface DeviceInfo {
  /** A label to show the user, e.g. "Firefox on macOS". At most 100 characters kept. */
  label?: string | undefined;
  /** The client's IP address as the app sees it (behind a proxy, from the trusted header). At most 64 characters kept. */
  ip?: string | undefined;
  /** The User-Agent header. At most 512 characters kept. */
  userAgent?: string | undefined;
}

/**
 * One of a user's live sessions, as listed by
 * `SessionManager.listUserSessions`. Carries the public id (derived from
 * the token, not reversible), never the token.
 */
export interface UserSession {
  /** Public id: safe to show, log and send back to revoke; useless as a cookie. */
  readonly id: string;
  readonly userId: string;
  /** When the session was created (before login, if it was regenerated at login), epoch ms. */
  readonly createdAt: number;
  /** When it was bound to the user (signed in), epoch ms. */
  readonly boundAt: number;
  /** Last renewal or write, epoch ms; as precise as the renew interval. */
  readonly lastSeenAt: number;
  /** When it expires unless used again, epoch ms. */
  readonly expiresAt: number;
  readonly label: string | undefined;
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
  /** True for the session passed as `currentId`: "this device". */
  readonly current: boolean;
  /**
   * The session's own expiry (`session.setExpiry`, "keep me signed in"), in
   * seconds; absent on a session that keeps the manager's timeouts.
   */
  readonly ownExpiry?: { readonly idleTimeoutSeconds: number; readonly absoluteTimeoutSeconds: number | false; readonly persistent: boolean };
  /** When the user last really authenticated in this session (step-up), epoch ms; absent if never recorded. */
  readonly authenticatedAt?: number;
}

const DEVICE_LIMITS = { label: 100, ip: 64, userAgent: 512 } as const;
// C0 and C1 control characters: terminal escapes in a user agent must not
// reach an operator's terminal or a page unescaped.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const MAX_USER_ID_BYTES = 512;

function clean(value: unknown, limit: number): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = Array.from(value.replace(CONTROL, "")).slice(0, limit).join("").trim();
  return text === "" ? undefined : text;
}

/**
 * Throws a TypeError unless `userId` can key an index: a non-empty string
 * of at most 512 bytes.
 */
export function assertUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== "string" || userId.length === 0 || Buffer.byteLength(userId) > MAX_USER_ID_BYTES) {
    throw new TypeError(`A user id must be a non-empty string of at most ${MAX_USER_ID_BYTES} bytes, got ${typeof userId === "string" ? `"${userId.slice(0, 40)}"` : typeof userId}`);
  }
}

/** The device field's text: the cleaned device facts plus when the binding happened. */
export function encodeDevice(device: DeviceInfo | undefined, boundAt: number): string {
  const stored: Record<string, string | number> = { boundAt };
  for (const key of ["label", "ip", "userAgent"] as const) {
    const value = clean(device?.[key], DEVICE_LIMITS[key]);
    if (value !== undefined) stored[key] = value;
  }
  return JSON.stringify(stored);
}

function decodeDevice(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The store's user index, or a config error saying how to get one. */
export function requireUserIndex(store: SessionStore): UserIndexStore {
  if (!store.userIndex) {
    throw new SessionConfigError(
      "This store has no per-user index, so sessions cannot be bound to users or listed and revoked by user. Use redisStore or memoryStore, or implement SessionStore.userIndex.",
    );
  }
  return store.userIndex;
}

function toUserSession(id: string, userId: string, summary: SessionSummary, currentId: string | undefined): UserSession {
  const createdAt = Number(summary.fields.get(CREATED_AT_FIELD));
  const device = decodeDevice(summary.fields.get(DEVICE_FIELD));
  const boundAt = typeof device.boundAt === "number" ? device.boundAt : createdAt;
  const lastSeen = Number(summary.fields.get(LAST_SEEN_FIELD));
  const own = decodeSessionExpiry(summary.fields.get(EXPIRY_FIELD));
  const authenticatedAt = Number(summary.fields.get(AUTHENTICATED_AT_FIELD));
  return {
    id,
    userId,
    createdAt,
    boundAt,
    lastSeenAt: Number.isFinite(lastSeen) ? lastSeen : boundAt,
    expiresAt: summary.expiresAt,
    label: clean(device.label, DEVICE_LIMITS.label),
    ip: clean(device.ip, DEVICE_LIMITS.ip),
    userAgent: clean(device.userAgent, DEVICE_LIMITS.userAgent),
    current: id === currentId,
    // Present only when set, so sessions on the manager's timeouts list exactly as before.
    ...(own && {
      ownExpiry: {
        idleTimeoutSeconds: own.idleTimeoutMs / 1000,
        absoluteTimeoutSeconds: own.absoluteTimeoutMs > 0 ? own.absoluteTimeoutMs / 1000 : false,
        persistent: own.persistent,
      },
    }),
    ...(Number.isFinite(authenticatedAt) && { authenticatedAt }),
  };
}

/** Sessions one listing returns when no `limit` is given (the default `maxSessionsPerUser`, so by default one page holds them all). */
export const DEFAULT_LIST_LIMIT = 100;
/** The largest `limit` a listing takes: one page inspects at most this many sessions, whatever the index size. */
export const MAX_LIST_LIMIT = 1000;

/** One page of a user's sessions, as `SessionManager.listUserSessionPage` returns it. */
export interface UserSessionPage {
  /** The live sessions of this page, most recently seen first. */
  readonly sessions: UserSession[];
  /** Pass it as `cursor` for the next page; undefined on the last page. */
  readonly nextCursor: string | undefined;
}

/** Where a listing starts and how much it returns. */
export interface ListOptions {
  /** The id of the session making the request, marked `current: true`. */
  readonly currentId?: string;
  /** At most this many sessions, 1 to {@link MAX_LIST_LIMIT}. Default {@link DEFAULT_LIST_LIMIT}. */
  readonly limit?: number;
  /** A previous page's `nextCursor`. */
  readonly cursor?: string;
}

/**
 * Checks a listing's `limit` and `cursor`, and returns the index window they name.
 *
 * @throws TypeError for a limit outside 1..{@link MAX_LIST_LIMIT} or a cursor no listing returned.
 */
export function resolveListWindow(options: ListOptions): { offset: number; limit: number } {
  const limit = options.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new TypeError(`limit must be a whole number from 1 to ${MAX_LIST_LIMIT}, got ${String(limit)}; page through more with nextCursor.`);
  }
  const cursor = options.cursor;
  if (cursor !== undefined && (typeof cursor !== "string" || !/^(0|[1-9][0-9]{0,8})$/.test(cursor))) {
    throw new TypeError("cursor must be the nextCursor of a previous page of the same listing.");
  }
  return { offset: cursor === undefined ? 0 : Number(cursor), limit };
}

/**
 * One page of a user's live sessions. Pages are windows of the user's
 * index, newest lease first (the latest sign-in or lease extension, which
 * follows activity to within about one idle timeout); within a page,
 * sessions are sorted most recently seen first. A page costs at most
 * `limit` inspections, in one pipelined round trip, whatever the index size.
 *
 * Index entries are only candidates. An entry whose session is bound to
 * someone else is dropped from the index. An entry whose session does not
 * exist is dropped only after a tombstone was left on its id (see
 * `UserIndexStore.revokeEntry`): it may be a login between its index write
 * and its session write, and dropping its entry otherwise would hide that
 * session from "log out everywhere". Such a login is then refused: a
 * listing that races a login of the same user can fail it closed.
 *
 * @example
 * ```ts
 * const window = resolveListWindow({ limit: 50 });
 * const page = await listUserSessions(requireUserIndex(store), "user-42", Date.now(), window, req.session.id);
 * ```
 */
export async function listUserSessions(
  index: UserIndexStore,
  userId: string,
  now: number,
  window: { offset: number; limit: number },
  currentId?: string,
): Promise<UserSessionPage> {
  const entries = await index.entries(userId, now, window);
  if (entries.length === 0) return { sessions: [], nextCursor: undefined };
  const summaries = await index.inspect(entries.map((entry) => entry.id), now);
  const live: UserSession[] = [];
  const foreign: string[] = [];
  const missing: IndexEntry[] = [];
  entries.forEach((entry, i) => {
    const summary = summaries[i];
    if (!summary || !summary.fields.has(CREATED_AT_FIELD)) missing.push(entry);
    else if (summary.fields.get(USER_ID_FIELD) !== userId) foreign.push(entry.id);
    else if (summary.expiresAt > now) live.push(toUserSession(entry.id, userId, summary, currentId));
    // else: expired but not yet deleted; its lease pruning will drop it.
  });
  // A record's user is written only when it is created (a binding rotates
  // the token), so a session bound to someone else never becomes this
  // user's: its entry can go at once.
  const buried = await Promise.all(missing.map((entry) => index.revokeEntry(userId, entry, now, { onlyIfAbsent: true })));
  const stale = [...foreign, ...missing.filter((_, i) => buried[i] !== "live").map((entry) => entry.id)];
  if (stale.length > 0) await index.remove(userId, stale);
  live.sort((a, b) => b.lastSeenAt - a.lastSeenAt || (a.id < b.id ? -1 : 1));
  const nextCursor = entries.length < window.limit ? undefined : String(window.offset + entries.length - stale.length);
  return { sessions: live, nextCursor };
}
/**
 * Deletes one session by its public id, so it is dead on its next request
 * on every instance, and removes it from its user's index. With `userId`,
 * only a session bound to that user is revoked (use it whenever the id
 * comes from a browser). Resolves to true when a session was revoked.
 *
 * @example
 * ```ts
 * const revoked = await revokeSession(requireUserIndex(store), req.body.id, req.session.userId);
 * ```
 */
export async function revokeSession(index: UserIndexStore, id: string, userId?: string): Promise<boolean> {
  const result = await index.revoke(id, userId);
  if (!result.deleted) return false;
  if (result.userId !== undefined) await index.remove(result.userId, [id]);
  return true;
}

/**
 * A revoke-all reads the index again until a read shows no id it has not
 * handled yet; each pass follows at least one regenerate or login that
 * wrote its index entry meanwhile, so this bound is far above any real
 * chain. Reaching it throws rather than claiming success.
 */
const MAX_REVOKE_PASSES = 20;
/** Entries revoked per round trip: a user with many sessions is revoked in bounded batches. */
const REVOKE_BATCH = 500;

/**
 * Deletes every session of a user except `exceptId`, and resolves to the
 * ids revoked. When it resolves, every session that belonged to the user
 * when it started is dead, including one mid-regenerate, mid-login or
 * mid-`bindUser`; the protocol and its argument are below.
 *
 * The protocol (one rule on each side; see docs/sessions-and-cli.md):
 * - Writers: an id enters the index, and the entry is confirmed, before its
 *   record is created (login, regenerate, and `bindUser`, which always
 *   rotates the token); an id leaves the index only after its record is
 *   dead (deleted, past its lease, or tombstoned). A record's user is
 *   written only at its creation.
 * - This revoke: read the index; for each id not handled yet, in one atomic
 *   step on its record (`revokeEntry`), delete it if it is this user's, or,
 *   if there is no record, leave a tombstone so that its create is refused;
 *   then drop the handled entries. Repeat until a read shows nothing new.
 *
 * Why nothing escapes: a session S live at the start is in the index, and
 * stays there until dead, so the first read sees it. If the revoke deletes
 * S, a regenerate of S is refused (it checks S exists and deletes it in one
 * step, or on a Cluster takes S first). If S is already gone when the revoke
 * reaches it, S died by regenerate or rebind to S', whose entry was
 * confirmed before S died, so the next read sees S' and the same reasoning
 * applies to S' (deleted, or tombstoned before it exists, and then its
 * create is refused). Each step is on one key, so this holds on a Cluster.
 *
 * @throws SessionStoreError when the user's index kept changing for
 * {@link MAX_REVOKE_PASSES} passes (the sessions found so far are revoked; run it again).
 *
 * @example
 * ```ts
 * await revokeUserSessions(requireUserIndex(store), "user-42", Date.now(), req.session.id); // "log out everywhere else"
 * ```
 */
export async function revokeUserSessions(
  index: UserIndexStore,
  userId: string,
  now: number,
  exceptId?: string,
): Promise<string[]> {
  const revoked: string[] = [];
  const handled = new Set<string>();
  for (let pass = 0; pass < MAX_REVOKE_PASSES; pass++) {
    const fresh = (await index.entries(userId, now)).filter((entry) => entry.id !== exceptId && !handled.has(entry.id));
    if (fresh.length === 0) return revoked;
    for (let first = 0; first < fresh.length; first += REVOKE_BATCH) {
      const batch = fresh.slice(first, first + REVOKE_BATCH);
      const results = await Promise.all(batch.map((entry) => index.revokeEntry(userId, entry, now)));
      revoked.push(...batch.filter((_, i) => results[i] === "deleted").map((entry) => entry.id));
      // Every handled entry can go: its record is deleted, tombstoned, or
      // bound to someone else (and a record's user never changes).
      await index.remove(userId, batch.map((entry) => entry.id));
      for (const entry of batch) handled.add(entry.id);
    }
  }
  throw new SessionStoreError("revoke", `The sessions of user "${userId.slice(0, 40)}" kept changing during ${MAX_REVOKE_PASSES} passes; those found were revoked. Run the revoke again.`);
}

/** Pages an eviction reads at most (a million entries): a bound on the loop, not a limit met in practice. */
const MAX_EVICTION_PAGES = 1000;

/**
 * Keeps at most `max` live sessions for a user: the most recently bound
 * ones, and always `keepId` (the session logging in). The same rule on every
 * instance means two racing logins agree on whom to evict. Resolves to the
 * ids evicted. It reads the whole index (bounded, since every login keeps
 * it near `max`), in listing pages.
 *
 * @example
 * ```ts
 * await enforceMaxSessions(requireUserIndex(store), "user-42", Date.now(), 5, newSessionId);
 * ```
 */
export async function enforceMaxSessions(
  index: UserIndexStore,
  userId: string,
  now: number,
  max: number,
  keepId: string,
): Promise<string[]> {
  const live: UserSession[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_EVICTION_PAGES && (page === 0 || cursor !== undefined); page++) {
    const listed = await listUserSessions(index, userId, now, resolveListWindow({ limit: MAX_LIST_LIMIT, cursor }), keepId);
    live.push(...listed.sessions);
    cursor = listed.nextCursor;
  }
  if (live.length <= max) return [];
  const newestFirst = [...live].sort((a, b) => b.boundAt - a.boundAt || b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  const evict = newestFirst.slice(max).filter((session) => !session.current).map((session) => session.id);
  if (evict.length === 0) return [];
  const results = await Promise.all(evict.map((id) => index.revoke(id, userId)));
  const deleted = evict.filter((_, i) => results[i]!.deleted);
  if (deleted.length > 0) await index.remove(userId, deleted);
  return deleted;
}
