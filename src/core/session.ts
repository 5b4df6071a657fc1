import { clearingSetCookie, sessionSetCookie } from "./cookie.js";
import { SessionTooLargeError, type SessionStoreError } from "./errors.js";
import { dataKeyFromToken, isSealedField, openField, sealField } from "./field-cipher.js";
import type { ResolvedOptions } from "./options.js";
import { assertUsableKey, decodeValue, encodeValue, RESERVED_FIELD_PREFIX } from "./serialize.js";
import {
  CREATED_AT_FIELD,
  DEVICE_FIELD,
  INDEX_GRACE_MS,
  isRenewalDue,
  LAST_SEEN_FIELD,
  LEASE_FIELD,
  leaseEndFor,
  targetTtlMs,
  USER_ID_FIELD,
  type CreateWrite,
  type StoredSession,
  type WriteResult,
} from "./store.js";
import { withStoreDeadline } from "./timeout.js";
import { encodeCookieValue, generateToken, sessionIdFromToken } from "./token.js";
import { assertUserId, encodeDevice, enforceMaxSessions, requireUserIndex, type DeviceInfo } from "./user-sessions.js";

/**
 * The type of `session.data` for a data shape `D`: every declared key is
 * optional (a new session starts empty). While `D` declares no keys at all,
 * as `SessionData` before an app augments it, any key is allowed and values
 * are `unknown`, so code works before it is typed.
 */
export type SessionDataOf<D extends object> = [keyof D] extends [never] ? Record<string, unknown> : Partial<D>;

/**
 * The session of one request, as handlers see it (`req.session`,
 * `ctx.session`...). Change `data` freely; the adapter commits the changes
 * when the response is sent.
 *
 * @typeParam D - the shape of the session data; see `SessionData` for
 * declaring it once for the whole app.
 */
export interface Session<D extends object> {
  /**
   * The session data. Every key is optional: a new session starts empty.
   * Values must be plain JSON; in-place mutations (`data.cart.push(x)`) are
   * detected. Assigning a new object replaces all keys.
   *
   * @example
   * ```ts
   * req.session.data.username = "ada";
   * delete req.session.data.flash;
   * ```
   */
  data: SessionDataOf<D>;
  /**
   * The session's public id: derived from the token, safe to log and show
   * in listings, useless as a cookie. Undefined until the session is stored.
   */
  readonly id: string | undefined;
  /** True until the session has been stored. */
  readonly isNew: boolean;
  /** When the session was created, epoch ms; undefined while new. */
  readonly createdAt: number | undefined;
  /** When the session expires unless used again, epoch ms; undefined while new. */
  readonly expiresAt: number | undefined;
  /** The user this session is bound to (see {@link bindUser}), or undefined. */
  readonly userId: string | undefined;
  /**
   * Binds the session to a user, at commit: the session joins the user's
   * index (so `manager.listUserSessions`, `revokeSession` and
   * `revokeUserSessions` see it) with the device facts given, and the
   * manager's `maxSessionsPerUser` is enforced (the oldest sessions are
   * evicted, never this one). Call it at login, after `regenerate()`; both
   * are committed together, in one round trip. The binding survives later
   * regenerates and ends with `destroy()`.
   *
   * @throws TypeError when `userId` is not a non-empty string (at most 512 bytes).
   * @throws SessionConfigError when the store has no per-user index.
   *
   * @example
   * ```ts
   * await req.session.regenerate();
   * await req.session.bindUser(user.id, { label: "Firefox on macOS", ip: req.ip, userAgent: req.get("user-agent") });
   * req.session.data.username = user.name;
   * ```
   */
  bindUser(userId: string, device?: DeviceInfo): Promise<void>;
  /**
   * True when the store could not be reached and the `"anonymous"` outage
   * policy let the request go on without its session. The data is empty,
   * changes to it are discarded, `regenerate()`, `bindUser()` and `destroy()`
   * throw the store error, and the response leaves the cookie alone (the user is not
   * logged out). Always false under the default `"fail"` policy.
   *
   * @example
   * ```ts
   * if (req.session.unavailable) res.set("Retry-After", "5"); // personalised parts paused
   * ```
   */
  readonly unavailable: boolean;
  /**
   * Issues a new token at commit, moving the data to it atomically and
   * killing the old token. Call it on login and on any privilege change, to
   * defeat session fixation. Keeps `createdAt`: the absolute timeout is not
   * extended.
   *
   * @example
   * ```ts
   * await req.session.regenerate();
   * req.session.data.userId = user.id;
   * ```
   */
  regenerate(): Promise<void>;
  /**
   * Deletes the session from the store now and clears the cookie. The handle
   * becomes a new, empty session: data set afterwards (a flash message)
   * starts a fresh session with a new token.
   */
  destroy(): Promise<void>;
  /**
   * Writes the changes now instead of when the response is sent; needed only
   * before streaming a response. Writes only the keys that changed, in one
   * atomic store round trip.
   *
   * @throws SessionDataError, SessionTooLargeError, SessionKeyError: nothing is written.
   * @throws SessionStoreError when the store is down or slow.
   */
  commit(): Promise<void>;
}

/** A session's binding to a user, as stored or about to be. */
interface Binding {
  readonly userId: string;
  /** The device field's text. */
  readonly device: string;
}

/** Per-request facts the adapter supplies. */
export interface RequestFacts {
  /** True when the request arrived over HTTPS (directly or via a trusted proxy). */
  readonly secure: boolean;
}

/**
 * The implementation behind {@link Session}. Not exported from the package:
 * apps and adapters see only the interface and the manager.
 */
export class SessionHandle<D extends object> implements Session<D> {
  #data: Record<string, unknown> = {};
  /** Token of the stored session; undefined while the session is new. */
  #token: string | undefined;
  /** Store id of the stored session; undefined while the session is new. */
  #storedId: string | undefined;
  /** Store id of a session this one will replace at commit (pending regenerate). */
  #replacesId: string | undefined;
  /**
   * Field JSON texts as last read from or written to the store: plaintext,
   * also when the store holds them sealed, so a change is a change of value,
   * never of nonce.
   */
  #baseline = new Map<string, string>();
  /** The key that seals data fields, derived from `token` once per handle (see {@link #storedText}). */
  #dataKey: { readonly token: string; readonly key: Buffer } | undefined;
  #createdAt: number | undefined;
  #expiresAt: number | undefined;
  /** The request carried a session cookie that must be cleared unless replaced. */
  #staleCookieSent = false;
  /** The cookie value (token, signed when secrets are set) last encoded for `#token`. */
  #encodedCookie: { readonly token: string; readonly value: string } | undefined;
  /** The Set-Cookie the response must carry, as decided so far. */
  #setCookie: string | undefined;
  /** Serialises commits, destroys and the final commit of one request. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Steps enqueued on `#queue` and not yet settled. */
  #queuedSteps = 0;
  /** Why the stored session could not be loaded ("anonymous" outage policy). */
  #outage: SessionStoreError | undefined;
  /** The user the session is (or, after a pending bindUser, will be) bound to. */
  #binding: Binding | undefined;
  /** bindUser was called since the last commit: the binding must be written. */
  #bindingChanged = false;
  /** The stored record's index lease (epoch ms), when bound. */
  #leaseEnd: number | undefined;
  /** The user whose index holds the stored (or replaced) record, if any. */
  #indexedUser: string | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly facts: RequestFacts,
  ) {}

  /** @internal Fills the handle from a loaded record. */
  static fromStore<D extends object>(
    options: ResolvedOptions,
    facts: RequestFacts,
    token: string,
    id: string,
    stored: StoredSession,
    resign: boolean,
    cookieValue?: string,
  ): SessionHandle<D> | undefined {
    const createdAt = Number(stored.fields.get(CREATED_AT_FIELD));
    if (!Number.isFinite(createdAt)) return undefined; // not a record we wrote: treat as unknown
    const handle = new SessionHandle<D>(options, facts);
    for (const [field, text] of stored.fields) {
      if (field.startsWith(RESERVED_FIELD_PREFIX) || field === "__proto__") continue;
      const json = handle.#jsonText(token, field, text);
      if (json === undefined) continue; // fails authentication: dropped like a corrupt field
      try {
        handle.#data[field] = decodeValue(json);
      } catch {
        continue; // a corrupt field is dropped, not fatal; the next commit removes it
      }
      // A clear field while encryption is on is written again, sealed, at
      // this session's next commit: no JSON text is empty, so it looks changed.
      handle.#baseline.set(field, options.encryptData && json === text ? REWRITE_SEALED : json);
    }
    handle.#token = token;
    // The request's cookie already carries this token signed with the current
    // secret: re-issuing it (after a write or a renewal) reuses it instead of
    // computing the same HMAC again.
    if (!resign && cookieValue !== undefined) handle.#encodedCookie = { token, value: cookieValue };
    handle.#storedId = id;
    handle.#createdAt = createdAt;
    handle.#expiresAt = stored.expiresAt;
    const userId = stored.fields.get(USER_ID_FIELD);
    if (userId !== undefined) {
      handle.#binding = { userId, device: stored.fields.get(DEVICE_FIELD) ?? encodeDevice(undefined, createdAt) };
      handle.#indexedUser = userId;
      const lease = Number(stored.fields.get(LEASE_FIELD));
      // A bound record without a lease (written by hand?) gets one at its next commit.
      handle.#leaseEnd = Number.isFinite(lease) ? lease : 0;
    }
    if (stored.renewed || resign) handle.#issueCookie(options.clock.now());
    return handle;
  }

  /**
   * @internal A stand-in for a session the store could not load: empty,
   * never written back, never touching the cookie.
   */
  static unavailable<D extends object>(options: ResolvedOptions, facts: RequestFacts, error: SessionStoreError): SessionHandle<D> {
    const handle = new SessionHandle<D>(options, facts);
    handle.#outage = error;
    return handle;
  }

  /** @internal The request carried a cookie that is invalid, unknown or expired. */
  markStaleCookie(): void {
    this.#staleCookieSent = true;
    this.#setCookie = clearingSetCookie(this.options.cookie, this.facts.secure);
  }

  get data(): SessionDataOf<D> {
    return this.#data as SessionDataOf<D>;
  }

  set data(value: SessionDataOf<D>) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new TypeError("session.data must be a plain object");
    }
    this.#data = { ...(value as Record<string, unknown>) };
  }

  get id(): string | undefined {
    return this.#storedId;
  }

  get isNew(): boolean {
    return this.#storedId === undefined;
  }

  get createdAt(): number | undefined {
    return this.#createdAt;
  }

  get expiresAt(): number | undefined {
    return this.#expiresAt;
  }

  get unavailable(): boolean {
    return this.#outage !== undefined;
  }

  get userId(): string | undefined {
    return this.#binding?.userId;
  }

  /** @internal The Set-Cookie header value the response must carry, if any. */
  get setCookieHeader(): string | undefined {
    return this.#setCookie;
  }

  regenerate(): Promise<void> {
    // A login that cannot be stored must not look like it succeeded.
    if (this.#outage) return Promise.reject(this.#outage);
    return this.#enqueue(async () => {
      if (this.#storedId === undefined) return; // a new session gets a fresh token anyway
      this.#replacesId = this.#storedId;
      this.#storedId = undefined;
      this.#token = undefined;
      this.#baseline = new Map();
    });
  }

  bindUser(userId: string, device?: DeviceInfo): Promise<void> {
    assertUserId(userId);
    requireUserIndex(this.options.store);
    const binding: Binding = { userId, device: encodeDevice(device, this.options.clock.now()) };
    // Binding is part of a login: it must not look stored when it cannot be.
    if (this.#outage) return Promise.reject(this.#outage);
    return this.#enqueue(async () => {
      this.#binding = binding;
      this.#bindingChanged = true;
    });
  }

  destroy(): Promise<void> {
    // Nor may a logout: the stored session would live on.
    if (this.#outage) return Promise.reject(this.#outage);
    return this.#enqueue(async () => {
      const ids = [this.#storedId, this.#replacesId].filter((id): id is string => id !== undefined);
      for (const id of ids) await this.#destroyStored(id);
      if (ids.length > 0) this.#staleCookieSent = true;
      this.#reset();
    });
  }

  /**
   * Deletes a stored record and, in the same round trip, its index entry.
   * The index removal is best effort: an entry left behind is a dangling
   * candidate that readers drop, never a live session.
   */
  async #destroyStored(id: string): Promise<void> {
    const { store, storeTimeoutMs } = this.options;
    const indexedUser = this.#indexedUser;
    const unindex = indexedUser === undefined ? undefined : store.userIndex?.remove(indexedUser, [id]).catch(() => undefined);
    await withStoreDeadline("destroy", storeTimeoutMs, () => store.destroy(id));
    await unindex;
  }

  commit(): Promise<void> {
    // Writing this empty stand-in would overwrite or shadow the real session.
    if (this.#outage) return Promise.resolve();
    return this.#enqueue(() => this.#commitNow());
  }

  /**
   * @internal The request's final commit, as adapters run it. Resolves
   * synchronously to undefined when there is nothing to write and nothing
   * in flight (most requests: anonymous, or reading an unchanged session),
   * sparing them the promise chain of {@link commit}; otherwise returns the
   * commit's promise.
   *
   * @throws SessionDataError, SessionTooLargeError, SessionKeyError, as `commit` rejects.
   */
  commitIfChanged(): Promise<void> | undefined {
    if (this.#outage) return undefined;
    if (this.#queuedSteps > 0) return this.commit();
    const fields = this.#currentFields(); // throws before any write, like the full commit
    if (this.#isUnchanged(fields)) return undefined;
    return this.#enqueue(() => this.#commitNow(fields));
  }

  /** Nothing to store for `fields`: no new data, no pending regenerate or binding, no lease to extend. */
  #isUnchanged(fields: ReadonlyMap<string, string>): boolean {
    if (this.#replacesId !== undefined || this.#bindingChanged) return false;
    if (this.#storedId === undefined) return fields.size === 0 && this.#binding === undefined;
    if (this.#binding !== undefined && this.#leaseDue(this.#createdAt!, this.options.clock.now())) return false;
    if (fields.size !== this.#baseline.size) return false;
    for (const [key, text] of fields) if (this.#baseline.get(key) !== text) return false;
    return true;
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    this.#queuedSteps++;
    const settled = (): void => void this.#queuedSteps--;
    const next = this.#queue.then(step);
    this.#queue = next.then(settled, settled);
    return next;
  }

  /** Forgets the stored session: the handle is a new, empty session again. */
  #reset(): void {
    this.#data = {};
    this.#token = undefined;
    this.#storedId = undefined;
    this.#replacesId = undefined;
    this.#baseline = new Map();
    this.#createdAt = undefined;
    this.#expiresAt = undefined;
    this.#binding = undefined;
    this.#bindingChanged = false;
    this.#leaseEnd = undefined;
    this.#indexedUser = undefined;
    this.#setCookie = this.#staleCookieSent ? clearingSetCookie(this.options.cookie, this.facts.secure) : undefined;
  }

  /** Serialises the data, checking every value and the total size. */
  #currentFields(): Map<string, string> {
    const fields = new Map<string, string>();
    const data = this.#data;
    let units = 0;
    for (const key of Object.keys(data)) {
      const value = data[key];
      if (value === undefined) continue; // like JSON: an undefined key is an absent key
      assertUsableKey(key);
      const text = encodeValue(key, value);
      fields.set(key, text);
      units += key.length + text.length;
    }
    // A UTF-16 code unit takes at most 3 bytes in UTF-8, so exact byte
    // counts are needed only near the limit, not on every commit.
    if (units * 3 > this.options.maxSessionBytes) assertWithinSize(fields, this.options.maxSessionBytes);
    return fields;
  }

  /** The text a data field is stored as: its JSON, sealed under `token`'s key when encryption is on. */
  #storedText(token: string, field: string, json: string): string {
    return this.options.encryptData ? sealField(this.#dataKeyFor(token), field, json) : json;
  }

  /**
   * A stored data field's JSON text, or undefined when it is sealed and does
   * not authenticate (tampered, or moved from another key or session), or
   * is clear under `encryptData: "strict"` (planted by a Redis writer).
   * Sealed fields are opened whatever `encryptData` says, so turning the
   * option off loses nothing; otherwise clear fields are read as they are,
   * so turning it on logs nobody out.
   */
  #jsonText(token: string, field: string, text: string): string | undefined {
    if (isSealedField(text)) return openField(this.#dataKeyFor(token), field, text);
    return this.options.clearDataAccepted ? text : undefined;
  }

  /** One key derivation per token and handle: a request that reads and writes derives once. */
  #dataKeyFor(token: string): Buffer {
    if (this.#dataKey?.token !== token) this.#dataKey = { token, key: dataKeyFromToken(token) };
    return this.#dataKey.key;
  }

  #issueCookie(now: number): void {
    if (this.#token === undefined || this.#expiresAt === undefined) return;
    const value =
      this.#encodedCookie?.token === this.#token ? this.#encodedCookie.value : encodeCookieValue(this.#token, this.options.secrets[0]);
    this.#encodedCookie = { token: this.#token, value };
    this.#setCookie = sessionSetCookie(this.options.cookie, value, this.#expiresAt, now, this.facts.secure);
  }

  async #commitNow(fields = this.#currentFields() /* throws before any write: nothing stored changes */): Promise<void> {
    const { store, policy, clock, storeTimeoutMs } = this.options;
    if (this.#isUnchanged(fields)) return; // nothing to write
    const now = clock.now();

    if (this.#storedId === undefined) {
      if (fields.size === 0 && this.#binding === undefined) {
        // An empty new session is never stored, but a regenerate of a
        // session that was then emptied still kills the old one.
        if (this.#replacesId !== undefined) {
          await this.#destroyStored(this.#replacesId);
          this.#staleCookieSent = true;
          this.#reset();
        }
        return;
      }
      await this.#create(fields, now);
      return;
    }

    const set: Array<[string, string]> = [];
    for (const [key, text] of fields) if (this.#baseline.get(key) !== text) set.push([key, this.#storedText(this.#token!, key, text)]);
    const del: string[] = [];
    for (const key of this.#baseline.keys()) if (!fields.has(key)) del.push(key);
    const createdAt = this.#createdAt!;
    const binding = this.#binding;
    const reindex = binding !== undefined && (this.#bindingChanged || this.#leaseDue(createdAt, now));

    const id = this.#storedId;
    let ttlMs = targetTtlMs(createdAt, now, policy);
    let leaseEnd = this.#leaseEnd;
    let indexed = 0;
    let result: WriteResult = "gone";
    if (ttlMs > 0 && binding !== undefined) {
      if (reindex) {
        const newLease = leaseEndFor(createdAt, now, policy);
        // The index entry is written, and confirmed, before the record's
        // lease says it exists: a failure in between leaves a dangling
        // entry (which readers drop), never a session missing from its
        // user's index. This costs a second round trip, about once per
        // idle timeout of activity.
        indexed = await withStoreDeadline("commit", storeTimeoutMs, () => this.#index(binding.userId, id, newLease, now));
        leaseEnd = newLease;
        set.push([LEASE_FIELD, String(newLease)]);
        if (this.#bindingChanged) set.push([USER_ID_FIELD, binding.userId], [DEVICE_FIELD, binding.device]);
      }
      ttlMs = Math.min(ttlMs, leaseEnd! - now);
      set.push([LAST_SEEN_FIELD, String(now)]);
    }
    // Move the expiry only when it is due, like a read's renewal: the cookie
    // must follow every move, and re-sending it on every write costs.
    const renewExpiry = ttlMs > 0 && isRenewalDue(this.#expiresAt ?? 0, now + ttlMs, policy);
    if (ttlMs > 0) {
      const write = renewExpiry ? { kind: "update" as const, set, del, ttlMs } : { kind: "update" as const, set, del };
      result = await withStoreDeadline("commit", storeTimeoutMs, () => store.write(id, write, now));
    }
    if (result !== "ok") {
      // Destroyed, revoked, regenerated away or expired meanwhile: never
      // bring it back. The cookie is cleared; this request's changes are dropped.
      this.#staleCookieSent = true;
      this.#reset();
      return;
    }
    this.#baseline = fields;
    if (renewExpiry) {
      this.#expiresAt = now + ttlMs;
      this.#issueCookie(now);
    }
    if (binding !== undefined) await this.#settleBinding(binding.userId, id, leaseEnd!, indexed, now);
  }

  /** The lease must be extended: the session's next renewals would reach past it. */
  #leaseDue(createdAt: number, now: number): boolean {
    const lease = this.#leaseEnd ?? 0;
    return lease - now < this.options.policy.idleTimeoutMs && leaseEndFor(createdAt, now, this.options.policy) > lease;
  }

  /**
   * Adds `id` to `userId`'s index with `leaseEnd` (plus the grace), removing `replaced` (a
   * regenerated-away id) from it in the same step. When the record was
   * indexed under another user (a rebind), its entry there is removed too,
   * best effort. Resolves to the number of entries in `userId`'s index.
   */
  async #index(userId: string, id: string, leaseEnd: number, now: number, replaced?: string): Promise<number> {
    const index = requireUserIndex(this.options.store);
    const previous = this.#indexedUser;
    const sameUser = previous === userId;
    const added = index.add(userId, id, leaseEnd + INDEX_GRACE_MS, now, replaced !== undefined && sameUser ? [replaced] : []);
    const moved = previous !== undefined && !sameUser ? index.remove(previous, [replaced ?? id]).catch(() => undefined) : undefined;
    const [count] = await Promise.all([added, moved]);
    return count;
  }

  /** After a successful write of a bound record: remember the lease, and enforce the per-user maximum after a new binding. */
  async #settleBinding(userId: string, id: string, leaseEnd: number, indexed: number, now: number): Promise<void> {
    const justBound = this.#bindingChanged;
    this.#leaseEnd = leaseEnd;
    this.#indexedUser = userId;
    this.#bindingChanged = false;
    const max = this.options.maxSessionsPerUser;
    // The index count includes dead candidates, so it can only overestimate:
    // below the limit, no listing is needed.
    if (!justBound || max === undefined || indexed <= max) return;
    const { store, storeTimeoutMs } = this.options;
    await withStoreDeadline("evict", storeTimeoutMs, () => enforceMaxSessions(store, userId, now, max, id));
  }

  async #create(fields: Map<string, string>, now: number): Promise<void> {
    const { policy, storeTimeoutMs } = this.options;
    const createdAt = this.#createdAt ?? now;
    let ttlMs = targetTtlMs(createdAt, now, policy);
    const replaces = this.#replacesId;
    if (ttlMs <= 0) {
      // Regenerating a session past its absolute timeout: it is over.
      this.#staleCookieSent = true;
      this.#reset();
      return;
    }
    const set: Array<[string, string]> = [[CREATED_AT_FIELD, String(createdAt)]];
    const binding = this.#binding;
    const leaseEnd = leaseEndFor(createdAt, now, policy);
    if (binding !== undefined) {
      set.push([USER_ID_FIELD, binding.userId], [DEVICE_FIELD, binding.device], [LEASE_FIELD, String(leaseEnd)], [LAST_SEEN_FIELD, String(now)]);
      ttlMs = Math.min(ttlMs, leaseEnd - now);
    }
    // A token collision is a 2^-128 event; one retry with a fresh token is plenty.
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = generateToken();
      const id = sessionIdFromToken(token);
      // Every field goes to the new record, sealed under the new token when
      // encryption is on: a regenerate re-encrypts in the same atomic step.
      const record = [...set, ...[...fields].map(([key, text]): [string, string] => [key, this.#storedText(token, key, text)])];
      const write =
        replaces === undefined ? { kind: "create" as const, set: record, ttlMs } : { kind: "create" as const, set: record, ttlMs, replaces };
      const { result, indexed } = await withStoreDeadline("commit", storeTimeoutMs, () =>
        this.#createIndexed(id, write, binding, leaseEnd, now),
      );
      if (result === "exists") continue;
      if (result === "gone") {
        // The session being regenerated was destroyed or revoked meanwhile:
        // its data must not live on under a new token.
        this.#staleCookieSent = true;
        this.#reset();
        return;
      }
      this.#token = token;
      this.#storedId = id;
      this.#replacesId = undefined;
      this.#createdAt = createdAt;
      this.#expiresAt = now + ttlMs;
      this.#baseline = fields;
      this.#issueCookie(now);
      if (binding !== undefined) await this.#settleBinding(binding.userId, id, leaseEnd, indexed, now);
      return;
    }
    throw new Error("Tessera: could not allocate a unique session id");
  }

  /**
   * Creates the record and, for a bound session, its index entry, in one
   * round trip: the index write is sent first (on one connection Redis runs
   * them in that order). If the index write fails while the record was
   * created, the record is deleted again and the error is thrown, so a
   * session never lives unlisted; a record write that fails or is refused
   * leaves at most a dangling entry, which readers drop.
   */
  async #createIndexed(
    id: string,
    write: CreateWrite,
    binding: Binding | undefined,
    leaseEnd: number,
    now: number,
  ): Promise<{ result: WriteResult; indexed: number }> {
    const { store } = this.options;
    const indexing = binding === undefined ? Promise.resolve(0) : this.#index(binding.userId, id, leaseEnd, now, write.replaces);
    const writing = store.write(id, write, now);
    const [indexed, written] = await Promise.allSettled([indexing, writing]);
    if (written.status === "rejected") throw written.reason;
    if (indexed.status === "rejected") {
      if (written.value === "ok") await store.destroy(id).catch(() => undefined);
      throw indexed.reason;
    }
    if (written.value !== "ok" && binding !== undefined) {
      await store.userIndex?.remove(binding.userId, [id]).catch(() => undefined);
    }
    return { result: written.value, indexed: indexed.value };
  }
}

/**
 * Baseline text of a field stored in clear while encryption is on. No JSON
 * text is empty, so the field always differs from its current value and the
 * next commit rewrites it sealed: clear data leaves Redis at the session's
 * first request after `encryptData` is turned on.
 */
const REWRITE_SEALED = "";

/**
 * Throws {@link SessionTooLargeError}, naming the largest key, when the
 * fields' UTF-8 size (keys and JSON texts) exceeds `maxBytes`.
 */
function assertWithinSize(fields: ReadonlyMap<string, string>, maxBytes: number): void {
  let size = 0;
  let largestKey = "";
  let largestSize = -1;
  for (const [key, text] of fields) {
    const entrySize = Buffer.byteLength(key) + Buffer.byteLength(text);
    size += entrySize;
    if (entrySize > largestSize) {
      largestSize = entrySize;
      largestKey = key;
    }
  }
  if (size > maxBytes) throw new SessionTooLargeError(size, maxBytes, largestKey);
}
