import { SessionConfigError } from "./errors.js";
import {
  CREATED_AT_FIELD,
  DEVICE_FIELD,
  LAST_SEEN_FIELD,
  USER_ID_FIELD,
  type SessionStore,
  type SessionSummary,
  type UserIndexStore,
} from "./store.js";

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
  };
}

/**
 * A user's live sessions, most recently seen first. Index entries are only
 * candidates: each is checked against its session record in one pipelined
 * round trip, and entries whose session is gone (destroyed, expired, or a
 * write lost in a crash) or now bound to someone else are dropped from the
 * result and removed from the index.
 *
 * @example
 * ```ts
 * const sessions = await listUserSessions(store, "user-42", Date.now(), req.session.id);
 * ```
 */
export async function listUserSessions(
  store: SessionStore,
  userId: string,
  now: number,
  currentId?: string,
): Promise<UserSession[]> {
  assertUserId(userId);
  const index = requireUserIndex(store);
  const entries = await index.entries(userId, now);
  if (entries.length === 0) return [];
  const summaries = await index.inspect(entries.map((entry) => entry.id), now);
  const live: UserSession[] = [];
  const stale: string[] = [];
  entries.forEach((entry, i) => {
    const summary = summaries[i];
    if (!summary || summary.expiresAt <= now || summary.fields.get(USER_ID_FIELD) !== userId) stale.push(entry.id);
    else live.push(toUserSession(entry.id, userId, summary, currentId));
  });
  if (stale.length > 0) await index.remove(userId, stale);
  return live.sort((a, b) => b.lastSeenAt - a.lastSeenAt || (a.id < b.id ? -1 : 1));
}

/**
 * Deletes one session by its public id, so it is dead on its next request
 * on every instance, and removes it from its user's index. With `userId`,
 * only a session bound to that user is revoked (use it whenever the id
 * comes from a browser). Resolves to true when a session was revoked.
 *
 * @example
 * ```ts
 * const revoked = await revokeSession(store, req.body.id, req.session.userId);
 * ```
 */
export async function revokeSession(store: SessionStore, id: string, userId?: string): Promise<boolean> {
  if (typeof id !== "string" || id.length === 0) return false;
  if (userId !== undefined) assertUserId(userId);
  const index = requireUserIndex(store);
  const result = await index.revoke(id, userId);
  if (!result.deleted) return false;
  if (result.userId !== undefined) await index.remove(result.userId, [id]);
  return true;
}

/** A revoke-all runs again while the previous pass still found sessions, to catch logins racing it. */
const MAX_REVOKE_PASSES = 3;

/**
 * Deletes every session of a user except `exceptId`, and resolves to the
 * ids revoked. Each pass reads the index, deletes the candidates (only those
 * still bound to this user) and removes their entries; it repeats while a
 * pass found something, so a regenerate racing it is caught. Entries whose
 * session was already missing are left to lease pruning: a login whose
 * index write landed but whose session write has not yet stays visible to
 * the next revoke.
 *
 * @example
 * ```ts
 * await revokeUserSessions(store, "user-42", Date.now(), req.session.id); // "log out everywhere else"
 * ```
 */
export async function revokeUserSessions(
  store: SessionStore,
  userId: string,
  now: number,
  exceptId?: string,
): Promise<string[]> {
  assertUserId(userId);
  const index = requireUserIndex(store);
  const revoked: string[] = [];
  const tried = new Set<string>();
  for (let pass = 0; pass < MAX_REVOKE_PASSES; pass++) {
    const candidates = (await index.entries(userId, now)).map((entry) => entry.id).filter((id) => id !== exceptId && !tried.has(id));
    if (candidates.length === 0) break;
    const results = await Promise.all(candidates.map((id) => index.revoke(id, userId)));
    const deleted = candidates.filter((_, i) => results[i]!.deleted);
    for (const id of candidates) tried.add(id);
    if (deleted.length === 0) break;
    await index.remove(userId, deleted);
    revoked.push(...deleted);
  }
  return revoked;
}

/**
 * Keeps at most `max` live sessions for a user: the most recently bound
 * ones, and always `keepId` (the session logging in). The same rule on every
 * instance means two racing logins agree on whom to evict. Resolves to the
 * ids evicted.
 *
 * @example
 * ```ts
 * await enforceMaxSessions(store, "user-42", Date.now(), 5, newSessionId);
 * ```
 */
export async function enforceMaxSessions(
  store: SessionStore,
  userId: string,
  now: number,
  max: number,
  keepId: string,
): Promise<string[]> {
  const index = requireUserIndex(store);
  const live = await listUserSessions(store, userId, now, keepId);
  if (live.length <= max) return [];
  const newestFirst = [...live].sort((a, b) => b.boundAt - a.boundAt || b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  const evict = newestFirst.slice(max).filter((session) => !session.current).map((session) => session.id);
  if (evict.length === 0) return [];
  const results = await Promise.all(evict.map((id) => index.revoke(id, userId)));
  const deleted = evict.filter((_, i) => results[i]!.deleted);
  if (deleted.length > 0) await index.remove(userId, deleted);
  return deleted;
}
