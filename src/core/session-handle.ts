import { CLEAR_COOKIE, failedResponseCookie, type CookieIntent } from "./cookie.js";
import { afterCreate, afterUpdate, authenticated, loadedRecord, NEW_RECORD, planCommit, rotated, withExpiry, type CommitPlan, type RecordState } from "./commit-plan.js";
import { generateCsrfSecret } from "./csrf-token.js";
import { decodeDataFields, encodeDataFields, FieldSealer } from "./data-fields.js";
import { createDataObject } from "./data-object.js";
import { SessionRetiredError, type SessionStoreError } from "./errors.js";
import { retiredCreatedAt } from "./expiry.js";
import type { ResolvedOptions } from "./options.js";
import { CREATED_AT_FIELD } from "./record-fields.js";
import type { RequestFacts, Session, SessionDataOf } from "./session.js";
import { createRecord, updateRecord } from "./record-writes.js";
import { resolveSessionExpiry, type SessionExpirySettings } from "./session-expiry.js";
import { authenticatedWithin } from "./step-up.js";
import type { StoredSession } from "./store.js";
import { encodeCookieValue } from "./token.js";
import { destroyIndexed, destroyRecords, evictOverLimit } from "./user-binding.js";
import { assertUserId, encodeDevice, requireUserIndex, type DeviceInfo } from "./user-sessions.js";

/**
 * The implementation behind {@link Session}: the session's state and its
 * public methods. What a commit does is decided by `planCommit` and
 * written by record-writes.ts; the binding's lease protocol is in
 * user-binding.ts, the data's encoding in data-fields.ts, and the cookie's
 * rendering in cookie.ts (the handle records intents). Not exported
 * from the package: apps and adapters see only the interface and the
 * manager, which hands it a store already under the deadline.
 */
export class SessionHandle<D extends object> implements Session<D> {
  /** What is stored, or about to be: the commit planner's input. */
  #record: RecordState = NEW_RECORD;
  /** The data object, made on first use: most anonymous requests never touch it. */
  #data: Record<string, unknown> | undefined;
  /** Seals and opens data fields (keeps the data key), made on first use. */
  #sealer: FieldSealer | undefined;
  /** What the response must tell the client about its cookie, as decided so far. */
  #cookie: CookieIntent | undefined;
  /** The client holds a cookie naming no live session: cleared unless replaced. */
  #clientCookieDead = false;
  /** The token the request's cookie carried, when it named a stored session. */
  #requestToken: string | undefined;
  /** That cookie's value, when it is signed with the current secret (reused instead of signing again). */
  #requestCookieValue: string | undefined;
  /** The last step of the commits and destroys in flight; undefined when none is. */
  #queue: Promise<unknown> | undefined;
  /** Why the stored session could not be loaded ("anonymous" outage policy). */
  #outage: SessionStoreError | undefined;
  /** The request failed and its changes were discarded: commits write nothing. */
  #discarded = false;
  /** How the client holds its token: in the cookie, or (a header client) as the app hands it over. */
  #delivery: "cookie" | "header" = "cookie";
  /** The token value the request sent in a header (or as a raw token), so that only a new one is handed out. */
  #sentValue: string | undefined;
  /** The issued token value the app already took with {@link takeIssuedToken}. */
  #takenValue: string | undefined;
  /** The request was read through a header transport and carried no session cookie (see {@link csrfExempt}). */
  #headerOnly = false;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly facts: RequestFacts,
  ) {}

  /**
   * @internal Fills the handle from a loaded record. `resign`: the cookie
   * was signed with an old secret and is re-issued, signed with the current one.
   */
  static fromStore<D extends object>(
    options: ResolvedOptions,
    facts: RequestFacts,
    token: string,
    id: string,
    stored: StoredSession,
    resign: boolean,
    cookieValue?: string,
  ): SessionHandle<D> | undefined {
    const stamped = Number(stored.fields.get(CREATED_AT_FIELD));
    // A regenerate's retired copy (grace window) reads, read-only.
    const retiredAt = Number.isFinite(stamped) ? undefined : retiredCreatedAt(stored.fields);
    const createdAt = retiredAt ?? stamped;
    if (!Number.isFinite(createdAt)) return undefined; // not a record we wrote: treat as unknown
    const handle = new SessionHandle<D>(options, facts);
    const data = createDataObject();
    const baseline = new Map<string, string>();
    handle.#sealer = decodeDataFields(stored.fields, token, options, data, baseline, undefined);
    handle.#data = data;
    handle.#record = loadedRecord(stored, id, token, createdAt, baseline, retiredAt !== undefined);
    handle.#requestToken = token;
    if (!resign) handle.#requestCookieValue = cookieValue;
    // Never a cookie for a retired token: the browser may hold the new one already.
    if ((stored.renewed || resign) && retiredAt === undefined) handle.#issueCookie(options.clock.now());
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

  /**
   * @internal The client is a header client: it sent `sentValue` in a
   * header (or the app passed it as a raw token), or it sent nothing and the
   * manager has no cookie transport. Its responses never carry a cookie.
   */
  deliverInHeader(sentValue: string | undefined, readFromHeader = false, carriesCookie = false): void {
    this.#delivery = "header";
    this.#sentValue = sentValue;
    this.#headerOnly = readFromHeader && !carriesCookie;
  }

  /**
   * @internal No CSRF check applies (csrf.ts): the request was read through
   * a header transport, which a cross-site page cannot make a browser send
   * (a custom header or `Authorization` needs a CORS preflight the app
   * grants), and it carries no session cookie, which a browser would send
   * on its own. Its response never sets a cookie, so it cannot log a
   * browser in either.
   */
  get csrfExempt(): boolean {
    return this.#headerOnly;
  }

  /** @internal The request carried a cookie that is invalid, unknown or expired. */
  markStaleCookie(): void {
    this.#clientCookieDead = true;
    this.#cookie = CLEAR_COOKIE;
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
    return this.#record.storedId;
  }

  get isNew(): boolean {
    return this.#record.storedId === undefined;
  }

  get createdAt(): number | undefined {
    return this.#record.createdAt;
  }

  get expiresAt(): number | undefined {
    return this.#record.expiresAt;
  }

  get unavailable(): boolean {
    return this.#outage !== undefined;
  }

  get userId(): string | undefined {
    return (this.#record.pendingBinding ?? this.#record.binding)?.userId;
  }

  get readOnly(): boolean {
    return this.#record.retired;
  }

  get authenticatedAt(): number | undefined {
    return this.#record.authenticatedAt;
  }

  authenticatedWithin(seconds: number): boolean {
    return authenticatedWithin(this.#record.authenticatedAt, this.options.clock.now(), seconds);
  }

  markAuthenticated(): void {
    this.#assertWritable("mark the session authenticated");
    this.#record = authenticated(this.#record, this.options.clock.now());
  }

  setExpiry(settings: SessionExpirySettings | null): void {
    const expiry = resolveSessionExpiry(settings, this.options); // throws before anything changes
    this.#assertWritable("set the session's expiry");
    this.#record = withExpiry(this.#record, expiry);
  }

  /** Throws what makes a login-like change impossible: the outage (the change could not be stored), or a retired token. */
  #assertWritable(action: string): void {
    if (this.#outage) throw this.#outage;
    if (this.#record.retired) throw new SessionRetiredError(action);
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
    if (this.#record.csrfSecret === undefined && create) {
      this.#record = { ...this.#record, csrfSecret: generateCsrfSecret(), csrfSecretChanged: true };
    }
    return this.#record.csrfSecret;
  }

  /** @internal What the response must tell the client about its cookie (see cookie.ts's `renderSetCookie`), if anything. */
  get cookieIntent(): CookieIntent | undefined {
    return this.#delivery === "header" ? undefined : this.#decidedIntent();
  }

  /**
   * @internal What a header client must be told (see transport.ts's
   * `tokenResponseHeaders`): the token and its expiry, when the expiry moved
   * or a token was issued; `issued` when the value is not the one the
   * request sent, `taken` when the app already took it.
   */
  get headerIntent(): { readonly value: string; readonly expiresAt: number; readonly issued: boolean; readonly taken: boolean } | undefined {
    if (this.#delivery !== "header") return undefined;
    const intent = this.#decidedIntent();
    if (intent?.kind !== "set") return undefined; // a dead header token has nothing to clear
    return { value: intent.value, expiresAt: intent.expiresAt, issued: intent.value !== this.#sentValue, taken: intent.value === this.#takenValue };
  }

  useHeaderToken(): void {
    this.#delivery = "header";
  }

  takeIssuedToken(): string | undefined {
    const intent = this.headerIntent;
    if (intent === undefined || !intent.issued || intent.taken) return undefined;
    this.#takenValue = intent.value;
    return intent.value;
  }

  /** The cookie intent decided so far, with a failed request's limits applied. */
  #decidedIntent(): CookieIntent | undefined {
    return this.#discarded ? failedResponseCookie(this.#cookie, this.#requestToken, this.#clientCookieDead) : this.#cookie;
  }

  /** @internal The request arrived over HTTPS: the cookie's `secure: "auto"` applies. */
  get requestIsSecure(): boolean {
    return this.facts.secure;
  }

  regenerate(): Promise<void> {
    // A login that cannot be stored must not look like it succeeded.
    if (this.#outage) return Promise.reject(this.#outage);
    if (this.#record.retired) return Promise.reject(new SessionRetiredError("regenerate the session"));
    return this.#enqueue(async () => {
      this.#record = authenticated(rotated(this.#record, generateCsrfSecret), this.options.clock.now());
    });
  }

  bindUser(userId: string, device?: DeviceInfo): Promise<void> {
    assertUserId(userId);
    requireUserIndex(this.options.store);
    const binding = { userId, device: encodeDevice(device, this.options.clock.now()) };
    // Binding is part of a login: it must not look stored when it cannot be.
    if (this.#outage) return Promise.reject(this.#outage);
    if (this.#record.retired) return Promise.reject(new SessionRetiredError("bind the session to a user"));
    return this.#enqueue(async () => {
      // Security: a binding always rotates the token, so a cookie planted
      // before login (fixation) never becomes a logged-in session, even when
      // the app forgets regenerate(). It also means a record's user id is
      // written only when the record is created, which "log out everywhere"
      // relies on (see revokeUserSessions).
      this.#record = { ...authenticated(rotated(this.#record, generateCsrfSecret), this.options.clock.now()), pendingBinding: binding };
    });
  }

  destroy(): Promise<void> {
    // Nor may a logout: the stored session would live on.
    if (this.#outage) return Promise.reject(this.#outage);
    // A retired token's logout would clear the cookie the browser holds for the new one.
    if (this.#record.retired) return Promise.reject(new SessionRetiredError("destroy the session"));
    return this.#enqueue(async () => {
      if (await destroyRecords(this.options.store, this.#record)) this.#drop();
      else this.#forget();
    });
  }

  commit(): Promise<void> {
    // Writing this empty stand-in would overwrite or shadow the real session.
    if (this.#outage || this.#discarded) return Promise.resolve();
    return this.#enqueue(async () => {
      const fields = encodeDataFields(this.#data, this.options); // throws before any write: nothing stored changes
      await this.#carryOut(planCommit(this.#record, fields, this.options.clock, this.options.policy, this.options.regenerateGraceMs), fields);
    });
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
    if (this.#queue !== undefined) return this.commit();
    const fields = encodeDataFields(this.#data, this.options); // throws before any write, like the full commit
    const plan = planCommit(this.#record, fields, this.options.clock, this.options.policy, this.options.regenerateGraceMs);
    return plan.kind === "nothing" ? undefined : this.#enqueue(() => this.#carryOut(plan, fields));
  }

  /**
   * @internal The request ended in an unhandled error or a 5xx: drops its
   * uncommitted changes (data, a pending regenerate or bindUser) without a
   * store call, and makes later commits write nothing. What an explicit
   * `commit()` or `destroy()` already did stands. From now on
   * {@link cookieIntent} is only what a failed response may carry.
   */
  discardChanges(): void {
    this.#discarded = true;
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const next = (this.#queue ?? Promise.resolve()).then(step);
    const idle = (): void => {
      if (this.#queue === settled) this.#queue = undefined;
    };
    const settled = next.then(idle, idle);
    this.#queue = settled;
    return next;
  }

  /** The session is over (destroyed, revoked, expired, refused): forget it and clear the client's cookie. */
  #drop(): void {
    this.#clientCookieDead = true;
    this.#forget();
  }

  /** Forgets the stored session: the handle is a new, empty session again. */
  #forget(): void {
    this.#data = undefined;
    this.#record = NEW_RECORD;
    this.#cookie = this.#clientCookieDead ? CLEAR_COOKIE : undefined;
  }

  /**
   * The record was regenerated away with a grace window while this request
   * ran: its write was dropped; the handle turns read-only and leaves the
   * cookie alone (the browser holds, or is getting, the new token).
   */
  #retire(): void {
    this.#record = { ...this.#record, retired: true };
    this.#cookie = undefined;
  }

  #issueCookie(now: number): void {
    const { token, expiresAt } = this.#record;
    if (token === undefined || expiresAt === undefined) return;
    const cookie = this.#cookie;
    let value: string;
    if (token === this.#requestToken && this.#requestCookieValue !== undefined) value = this.#requestCookieValue;
    else if (cookie?.kind === "set" && cookie.token === token) value = cookie.value;
    else value = encodeCookieValue(token, this.options.secrets[0]);
    this.#cookie = { kind: "set", token, value, expiresAt, issuedAt: now, persistent: this.#record.expiry?.persistent };
  }

  /** The field sealer, made on first use (a clear session's writes seal nothing). */
  #writeSealer(): FieldSealer | undefined {
    return this.options.encryptData ? (this.#sealer ??= new FieldSealer(true)) : undefined;
  }

  async #carryOut(plan: CommitPlan, fields: Map<string, string>): Promise<void> {
    const { store } = this.options;
    if (plan.kind === "nothing") return;
    if (plan.kind === "destroyReplaced") await destroyIndexed(store, plan.replacesId, this.#record.binding?.userId);
    if (plan.kind === "drop" || plan.kind === "destroyReplaced") return this.#drop();
    if (plan.kind === "update") {
      const { storedId, token, binding } = this.#record;
      const result = await updateRecord(store, plan, storedId!, token!, binding?.userId, this.#writeSealer());
      if (result === "retired") return this.#retire();
      if (result !== "ok") return this.#drop();
      this.#record = afterUpdate(this.#record, plan, fields);
      if (plan.expiresAt !== undefined) this.#issueCookie(plan.now);
      return;
    }
    const created = await createRecord(store, plan, fields, this.#writeSealer() ?? CLEAR_FIELDS, this.#record.binding?.userId);
    if (created === undefined) return this.#drop();
    this.#record = afterCreate(this.#record, plan, created.id, created.token, fields);
    this.#issueCookie(plan.now);
    if (plan.newlyBound) await evictOverLimit(store, plan.binding!.userId, created.id, created.indexed, this.options.maxSessionsPerUser, plan.now);
  }
}

/** The sealer of clear sessions: every text is stored as it is. */
const CLEAR_FIELDS = new FieldSealer(false);
