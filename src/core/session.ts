import { clearingSetCookie, sessionSetCookie } from "./cookie.js";
import { generateCsrfSecret, isCsrfSecret } from "./csrf-token.js";
import { assertPrototypeUntouched, createDataObject } from "./data-object.js";
import { SessionTooLargeError, type SessionStoreError } from "./errors.js";
import { dataKeyFromToken, isSealedField, openField, sealField } from "./field-cipher.js";
import type { ResolvedOptions } from "./options.js";
import { assertUsableKey, decodeValue, encodeValue, RESERVED_FIELD_PREFIX } from "./serialize.js";
import { type CreateWrite, type StoredSession, type WriteResult } from "./store.js";
import { CREATED_AT_FIELD, CSRF_SECRET_FIELD, DEVICE_FIELD, LAST_SEEN_FIELD, LEASE_FIELD, USER_ID_FIELD } from "./record-fields.js";
import { INDEX_GRACE_MS, isRenewalDue, leaseEndFor, targetTtlMs } from "./expiry.js";
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
   * Binds the session to a user, at commit, and rotates its token in the
   * same commit: the pre-login token (a cookie an attacker may have
   * planted) stops working, so a login that forgets `regenerate()` is not a
   * session fixation. With `regenerate()` in the same request the token
   * rotates once, not twice. The session joins the user's index (so
   * `manager.listUserSessions`, `revokeSession` and `revokeUserSessions`
   * see it) with the device facts given, and the manager's
   * `maxSessionsPerUser` (default 100) is enforced (the oldest sessions are
   * evicted, never this one). The binding survives later regenerates and
   * ends with `destroy()`. Binding again (to another user, or the same one)
   * rotates the token again.
   *
   * @throws TypeError when `userId` is not a non-empty string (at most 512 bytes).
   * @throws SessionConfigError when the store has no per-user index.
   *
   * @example
   * ```ts
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
   * killing the old token. Call it on any privilege change, to defeat
   * session fixation (`bindUser` does it for you at login). Calling it
   * twice before a commit rotates once. Keeps `createdAt`: the absolute
   * timeout is not extended.
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
  /** The data object, made on first use: most anonymous requests never touch it. */
  #data: Record<string, unknown> | undefined;
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
  /** The CSRF secret (see `csrf.ts`), as stored or about to be. */
  #csrfSecret: string | undefined;
  /** The CSRF secret was created or rotated since the last write: the next commit stores it. */
  #csrfSecretChanged = false;
  /** The token the request's cookie carried, when it named a stored session. */
  #requestToken: string | undefined;
  /** The request failed and its changes were discarded: commits write nothing. */
  #discarded = false;

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
    const data = createDataObject();
    for (const [field, text] of stored.fields) {
      if (field.startsWith(RESERVED_FIELD_PREFIX)) continue;
      const json = handle.#jsonText(token, field, text);
      if (json === undefined) continue; // fails authentication: dropped like a corrupt field
      let value: unknown;
      try {
        // Refuses what a commit would refuse (a "__proto__" or empty field, a
        // value nested too deep...), so that no stored field makes every
        // commit of the session fail.
        assertUsableKey(field);
        value = decodeValue(field, json);
      } catch {
        continue; // a corrupt field is skipped, not fatal, and left in the store as it is
      }
      data[field] = value;
      // A clear field while encryption is on is written again, sealed, at
      // this session's next commit: no JSON text is empty, so it looks changed.
      handle.#baseline.set(field, options.encryptData && json === text ? REWRITE_SEALED : json);
    }
    const csrfSecret = stored.fields.get(CSRF_SECRET_FIELD);
    if (isCsrfSecret(csrfSecret)) handle.#csrfSecret = csrfSecret;
    handle.#data = data;
    handle.#token = token;
    handle.#requestToken = token;
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
    return (this.#data ??= createDataObject()) as SessionDataOf<D>;
  }

  set data(value: SessionDataOf<D>) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new TypeError("session.data must be a plain object");
    }
    const data = createDataObject();
    // Assignment, not a spread: a "__proto__" key in `value` reaches the
    // data object's guard, and the commit fails, instead of becoming an own key.
    Object.assign(data, value);
    this.#data = data;
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

  /**
   * @internal The session's CSRF secret, for `csrf.ts` only. With `create`,
   * a session without one gets one, stored at commit: an anonymous visitor
   * who is shown a form becomes a stored session, so the token survives to
   * the POST on any instance.
   *
   * @throws SessionStoreError on a session the store could not load: its
   * secret is unknown, and a new one could not be stored.
   */
  csrfSecret(create: boolean): string | undefined {
    if (this.#outage) throw this.#outage;
    if (this.#csrfSecret === undefined && create) {
      this.#csrfSecret = generateCsrfSecret();
      this.#csrfSecretChanged = true;
    }
    return this.#csrfSecret;
  }

  /** @internal The Set-Cookie header value the response must carry, if any. */
  get setCookieHeader(): string | undefined {
    return this.#discarded ? this.#failedResponseCookie() : this.#setCookie;
  }

  regenerate(): Promise<void> {
    // A login that cannot be stored must not look like it succeeded.
    if (this.#outage) return Promise.reject(this.#outage);
    return this.#enqueue(async () => this.#rotate());
  }

  /**
   * Marks the stored session to be replaced by a new token at commit
   * (regenerate, bindUser). A new session gets a fresh token anyway, and a
   * session already marked is not marked twice: rotating is idempotent
   * until the commit.
   */
  #rotate(): void {
    // Forms shown before (the login form) must not work after: a new CSRF
    // secret goes into the new record, in the same write (once per commit).
    if (this.#csrfSecret !== undefined && !this.#csrfSecretChanged) {
      this.#csrfSecret = generateCsrfSecret();
      this.#csrfSecretChanged = true;
    }
    if (this.#storedId === undefined) return;
    this.#replacesId = this.#storedId;
    this.#storedId = undefined;
    this.#token = undefined;
    this.#baseline = new Map();
  }

  bindUser(userId: string, device?: DeviceInfo): Promise<void> {
    assertUserId(userId);
    requireUserIndex(this.options.store);
    const binding: Binding = { userId, device: encodeDevice(device, this.options.clock.now()) };
    // Binding is part of a login: it must not look stored when it cannot be.
    if (this.#outage) return Promise.reject(this.#outage);
    return this.#enqueue(async () => {
      // Security: a binding always rotates the token, so a cookie planted
      // before login (fixation) never becomes a logged-in session, even when
      // the app forgets regenerate(). It also means a record's user id is
      // written only when the record is created, which "log out everywhere"
      // relies on (see revokeUserSessions).
      this.#rotate();
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
   * Deletes a stored record and then its index entry. Only in that order:
   * an id leaves the index only once its record is dead, or a failed delete
   * would leave a live session that "log out everywhere" cannot find. The
   * index removal is best effort: an entry left behind is a dangling
   * candidate that readers drop, never a live session.
   */
  async #destroyStored(id: string): Promise<void> {
    const { store, storeTimeoutMs } = this.options;
    await withStoreDeadline("destroy", storeTimeoutMs, () => store.destroy(id));
    await this.#unindex(this.#indexedUser, id);
  }

  /** Best effort: removes a dead record's entry from `userId`'s index. */
  async #unindex(userId: string | undefined, id: string | undefined): Promise<void> {
    if (userId === undefined || id === undefined) return;
    await this.options.store.userIndex?.remove(userId, [id]).catch(() => undefined);
  }

  commit(): Promise<void> {
    // Writing this empty stand-in would overwrite or shadow the real session.
    if (this.#outage || this.#discarded) return Promise.resolve();
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
    if (this.#outage || this.#discarded) return undefined;
    if (this.#queuedSteps > 0) return this.commit();
    const fields = this.#currentFields(); // throws before any write, like the full commit
    if (this.#isUnchanged(fields)) return undefined;
    return this.#enqueue(() => this.#commitNow(fields));
  }

  /**
   * @internal The request ended in an unhandled error or a 5xx: drops its
   * uncommitted changes (data, a pending regenerate or bindUser) without a
   * store call, and makes later commits write nothing. What an explicit
   * `commit()` or `destroy()` already did stands. From now on
   * {@link setCookieHeader} is only what a failed response may carry.
   */
  discardChanges(): void {
    this.#discarded = true;
  }

  /**
   * The Set-Cookie of a discarded request: never a token the client did not
   * send (a half-done login must not hand out its new session), only a
   * renewal of the request's own token (its store expiry already moved at
   * load, and the cookie must follow) or a clearing cookie when the session
   * the client holds is gone (destroyed, rotated away, or unknown).
   */
  #failedResponseCookie(): string | undefined {
    const cookie = this.#setCookie;
    const clearing = clearingSetCookie(this.options.cookie, this.facts.secure);
    if (cookie === undefined || cookie === clearing) return cookie;
    // A session cookie in #setCookie is always the one #issueCookie encoded last.
    if (this.#requestToken !== undefined && this.#encodedCookie?.token === this.#requestToken) return cookie;
    return this.#requestToken !== undefined || this.#staleCookieSent ? clearing : undefined;
  }

  /** Nothing to store for `fields`: no new data, no pending regenerate, binding or CSRF secret, no lease to extend. */
  #isUnchanged(fields: ReadonlyMap<string, string>): boolean {
    if (this.#replacesId !== undefined || this.#bindingChanged || this.#csrfSecretChanged) return false;
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
    this.#data = undefined;
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
    this.#csrfSecret = undefined;
    this.#csrfSecretChanged = false;
    this.#setCookie = this.#staleCookieSent ? clearingSetCookie(this.options.cookie, this.facts.secure) : undefined;
  }

  /** Serialises the data, checking every value and the total size. */
  #currentFields(): Map<string, string> {
    const fields = new Map<string, string>();
    const data = this.#data;
    if (data === undefined) return fields;
    assertPrototypeUntouched(data);
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
      if (fields.size === 0 && this.#binding === undefined && !this.#csrfSecretChanged) {
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
        // No user id here: a binding always creates a new record (#create).
      }
      ttlMs = Math.min(ttlMs, leaseEnd! - now);
      set.push([LAST_SEEN_FIELD, String(now)]);
    }
    // A secret created while this write is in flight stays pending for the next one.
    const csrfSecret = this.#csrfSecret;
    if (this.#csrfSecretChanged) set.push([CSRF_SECRET_FIELD, csrfSecret!]);
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
    if (this.#csrfSecret === csrfSecret) this.#csrfSecretChanged = false;
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

  /** Adds `id` to `userId`'s index with `leaseEnd` (plus the grace). Resolves to the number of entries in the index. */
  #index(userId: string, id: string, leaseEnd: number, now: number): Promise<number> {
    return requireUserIndex(this.options.store).add(userId, id, leaseEnd + INDEX_GRACE_MS, now);
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
    const csrfSecret = this.#csrfSecret;
    if (csrfSecret !== undefined) set.push([CSRF_SECRET_FIELD, csrfSecret]);
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
      // The replaced record is dead now whatever the result ("ok" and
      // "revoked" deleted it, "gone" found it gone): its entry can go.
      await this.#unindex(this.#indexedUser, replaces);
      if (result !== "ok") {
        // "gone": the session being regenerated was destroyed or revoked
        // meanwhile, and its data must not live on under a new token.
        // "revoked": its user was logged out everywhere between the index
        // write and this create. Either way the login fails closed.
        if (binding !== undefined) await this.#unindex(binding.userId, id);
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
      if (this.#csrfSecret === csrfSecret) this.#csrfSecretChanged = false;
      this.#issueCookie(now);
      if (binding !== undefined) await this.#settleBinding(binding.userId, id, leaseEnd, indexed, now);
      return;
    }
    throw new Error("Tessera: could not allocate a unique session id");
  }

  /**
   * Creates the record and, for a bound session, first its index entry:
   * the entry is written and confirmed before the create is sent, so a
   * session is never alive without its entry, on any topology (on a
   * Cluster the two keys are on different nodes, and only this order makes
   * "log out everywhere" complete; see revokeUserSessions). It costs a
   * login one round trip more. If the index write fails, nothing is
   * created and the replaced record is destroyed: a failed login or
   * regenerate never leaves the old token working.
   */
  async #createIndexed(
    id: string,
    write: CreateWrite,
    binding: Binding | undefined,
    leaseEnd: number,
    now: number,
  ): Promise<{ result: WriteResult; indexed: number }> {
    let indexed = 0;
    if (binding !== undefined) {
      try {
        indexed = await this.#index(binding.userId, id, leaseEnd, now);
      } catch (error) {
        if (write.replaces !== undefined) await this.#destroyStored(write.replaces).catch(() => undefined);
        throw error;
      }
    }
    return { result: await this.options.store.write(id, write, now), indexed };
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
