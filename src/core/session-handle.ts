import { afterCreate, afterUpdate, loadedRecord, NEW_RECORD, planCommit, type CommitPlan, type RecordState } from "./commit-plan.js";
import { generateCsrfSecret } from "./csrf-token.js";
import { compareAndSet, increment, updateWith, type FieldContext, type FieldStep, type UpdateOptions } from "./atomic-update.js";
import { decodeDataFields, encodeDataFields, FieldSealer, openStoredText } from "./data-fields.js";
import { createDataObject, dataObjectFrom } from "./data-object.js";
import type { SessionStoreError } from "./errors.js";
import type { ResolvedOptions } from "./options.js";
import type { RequestFacts, Session, SessionDataOf } from "./session.js";
import { createRecord, updateRecord } from "./record-writes.js";
import type { SessionExpirySettings } from "./session-expiry.js";
import { loadedFlashes, restoreTakenFlashes, takeFlashes, withFlash } from "./flash.js";
import { loadedCreation, loggedIn, markedAuthenticated, recentlyAuthenticated, refusedChange, withOwnExpiry } from "./session-lifetime.js";
import type { StoredSession } from "./store.js";
import { TokenDelivery } from "./token-delivery.js";
import { destroyIndexed, destroyRecords, evictOverLimit } from "./user-binding.js";
import { assertUserId, encodeDevice, requireUserIndex, type DeviceInfo } from "./user-sessions.js";

/**
 * The implementation behind {@link Session}: the session's state and its
 * public methods. What a commit does is decided by `planCommit` and
 * written by record-writes.ts; the binding's lease protocol is in
 * user-binding.ts, the data's encoding in data-fields.ts, and what the
 * response tells the client in token-delivery.ts (the handle reports what
 * happened; cookie.ts renders the cookie); own expiry, step-up and retired
 * tokens follow session-lifetime.ts; flashes flash.ts, same-key updates
 * atomic-update.ts. Not exported from the package: apps and
 * adapters see only the interface and the manager, which hands it a store
 * already under the deadline.
 */
export class SessionHandle<D extends object> implements Session<D> {
  /** What is stored, or about to be: the commit planner's input. */
  #record: RecordState = NEW_RECORD;
  /** The data object, made on first use: most anonymous requests never touch it. */
  #data: Record<string, unknown> | undefined;
  /** Seals and opens data fields (keeps the data key), made on first use. */
  #sealer: FieldSealer | undefined;
  /** The last step of the commits and destroys in flight; undefined when none is. */
  #queue: Promise<unknown> | undefined;
  /** Why the stored session could not be loaded ("anonymous" outage policy). */
  #outage: SessionStoreError | undefined;
  /** The request failed and its changes were discarded: commits write nothing. */
  #discarded = false;
  /**
   * @internal What the response must tell the client about its token (the
   * cookie, or a header client's headers): the handle reports issued tokens
   * and ended sessions to it; the manager, migration.ts and csrf.ts read it.
   */
  readonly delivery = new TokenDelivery();

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
    const loaded = loadedCreation(stored.fields); // a regenerate's retired copy (grace window) loads, read-only
    if (loaded === undefined) return undefined; // not a record we wrote: treat as unknown
    const handle = new SessionHandle<D>(options, facts);
    const data = createDataObject();
    const baseline = new Map<string, string>();
    handle.#sealer = decodeDataFields(stored.fields, token, options, data, baseline, undefined);
    handle.#data = data;
    handle.#record = loadedRecord(stored, id, token, loaded.createdAt, baseline, loaded.retired, loadedFlashes(stored.fields, (field, text) => handle.#open(field, text, token)));
    handle.delivery.loaded(token, resign ? undefined : cookieValue);
    // Never a cookie for a retired token: the browser may hold the new one already.
    if ((stored.renewed || resign) && !loaded.retired) handle.#issueCookie(options.clock.now());
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

  get data(): SessionDataOf<D> {
    return (this.#data ??= createDataObject()) as SessionDataOf<D>;
  }

  set data(value: SessionDataOf<D>) {
    this.#data = dataObjectFrom(value);
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
    return recentlyAuthenticated(this.#record, this.options.clock.now(), seconds);
  }

  markAuthenticated(): void {
    this.#record = markedAuthenticated(this.#record, this.#outage, this.options.clock.now());
  }

  setExpiry(settings: SessionExpirySettings | null): void {
    this.#record = withOwnExpiry(this.#record, this.#outage, settings, this.options);
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

  flash(key: string, value: unknown): void {
    this.#record = withFlash(this.#record, this.#outage, this.options.store, this.options, key, value);
  }

  async takeFlash(key: string): Promise<unknown> {
    return (await this.#fieldStep((context) => takeFlashes(context, [key], this.#open)))[key];
  }

  takeFlashes(): Promise<Record<string, unknown>> {
    return this.#fieldStep((context) => takeFlashes(context, undefined, this.#open));
  }

  increment(key: string, by = 1): Promise<number> {
    return this.#fieldStep((context) => increment(context, key, by));
  }

  compareAndSet(key: string, expected: unknown, next: unknown): Promise<boolean> {
    return this.#fieldStep((context) => compareAndSet(context, key, expected, next));
  }

  update<T>(key: string, fn: (current: T | undefined) => T | undefined, options?: UpdateOptions): Promise<T | undefined> {
    return updateWith(this, key, fn, options);
  }

  useHeaderToken(): void {
    this.delivery.useHeader();
  }

  takeIssuedToken(): string | undefined {
    return this.delivery.takeIssued();
  }

  /** @internal The request arrived over HTTPS: the cookie's `secure: "auto"` applies. */
  get requestIsSecure(): boolean {
    return this.facts.secure;
  }

  regenerate(): Promise<void> {
    // A login that cannot be stored must not look like it succeeded.
    return refusedChange(this.#record, this.#outage, "regenerate the session") ?? this.#enqueue(async () => {
      this.#record = loggedIn(this.#record, this.options.clock.now());
    });
  }

  bindUser(userId: string, device?: DeviceInfo): Promise<void> {
    assertUserId(userId);
    requireUserIndex(this.options.store);
    const binding = { userId, device: encodeDevice(device, this.options.clock.now()) };
    // Binding is part of a login: it must not look stored when it cannot be.
    return refusedChange(this.#record, this.#outage, "bind the session to a user") ?? this.#enqueue(async () => {
      // Security: a binding always rotates the token, so a cookie planted
      // before login (fixation) never becomes a logged-in session, even when
      // the app forgets regenerate(). It also means a record's user id is
      // written only when the record is created, which "log out everywhere"
      // relies on (see revokeUserSessions).
      this.#record = { ...loggedIn(this.#record, this.options.clock.now()), pendingBinding: binding };
    });
  }

  destroy(): Promise<void> {
    // Nor may a logout (the stored session would live on), nor a retired token's (it would clear the new cookie).
    return refusedChange(this.#record, this.#outage, "destroy the session") ?? this.#enqueue(async () => {
      if (await destroyRecords(this.options.store, this.#record)) this.#drop();
      else this.#forget();
    });
  }

  commit(): Promise<void> {
    // Writing this empty stand-in would overwrite or shadow the real session.
    if (this.#outage || this.#discarded) return this.#restoreFlashes() ?? Promise.resolve();
    return this.#enqueue(async () => {
      const fields = encodeDataFields(this.#data, this.options, this.#record.baseline); // throws before any write: nothing stored changes
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
    if (this.#outage || this.#discarded) return this.#restoreFlashes();
    if (this.#queue !== undefined) return this.commit();
    const fields = encodeDataFields(this.#data, this.options, this.#record.baseline); // throws before any write, like the full commit
    const plan = planCommit(this.#record, fields, this.options.clock, this.options.policy, this.options.regenerateGraceMs);
    return plan.kind === "nothing" ? undefined : this.#enqueue(() => this.#carryOut(plan, fields));
  }

  /**
   * @internal The request ended in an unhandled error or a 5xx: drops its
   * uncommitted changes (data, a pending regenerate or bindUser) without a
   * store call, and makes later commits write nothing but the flashes it
   * took, put back where no newer flash of the key is. What an explicit
   * `commit()` or `destroy()` already did stands. From now on the
   * {@link delivery} tells only what a failed response may carry.
   */
  discardChanges(): void {
    this.#discarded = true;
    this.delivery.requestFailed();
  }

  #enqueue<T>(step: () => Promise<T>): Promise<T> {
    const next = (this.#queue ?? Promise.resolve()).then(step);
    const idle = (): void => {
      if (this.#queue === settled) this.#queue = undefined;
    };
    const settled = next.then(idle, idle);
    this.#queue = settled;
    return next;
  }

  /** Runs a flash or same-key step in the queue and applies its outcome (atomic-update.ts's `FieldStep`). */
  #fieldStep<T>(run: (context: FieldContext) => Promise<FieldStep<T>>): Promise<T> {
    return this.#enqueue(async () => {
      const { store, clock } = this.options;
      const step = await run({ record: this.#record, outage: this.#outage, store, options: this.options, data: this.data, now: clock.now() });
      if (step.ended === "gone") this.#drop();
      else if (step.ended === "retired") this.#retire();
      else if (step.apply) this.#record = step.apply(this.#record, this.data);
      if (step.error) throw step.error;
      return step.value;
    });
  }

  /** A stored field's JSON text (a flash's), opened with this session's data key when sealed. */
  #open = (field: string, text: string, token = this.#record.token!): string | undefined =>
    openStoredText(field, text, token, this.options, () => (this.#sealer ??= new FieldSealer(this.options.encryptData)));

  /** A failed request's taken flashes go back (flash.ts), in the queue; undefined when it took none. */
  #restoreFlashes(): Promise<void> | undefined {
    if (this.#record.takenFlashes.length === 0) return undefined;
    return this.#enqueue(async () => {
      this.#record = await restoreTakenFlashes(this.#record, this.options.store, this.options.clock.now());
    });
  }

  /** Regenerated away with a grace window meanwhile: read-only now, the cookie left alone. */
  #retire(): void {
    this.#record = { ...this.#record, retired: true };
    this.delivery.leaveCookieAlone();
  }

  /** The session is over (destroyed, revoked, expired, refused): forget it and clear the client's cookie. */
  #drop(): void {
    this.delivery.markCookieDead();
    this.#forget();
  }

  /** Forgets the stored session: the handle is a new, empty session again. */
  #forget(): void {
    this.#data = undefined;
    this.#record = NEW_RECORD;
    this.delivery.forget();
  }

  #issueCookie(now: number): void {
    const { token, expiresAt } = this.#record;
    if (token !== undefined && expiresAt !== undefined) this.delivery.issue(token, expiresAt, now, this.options.secrets[0], this.#record.expiry?.persistent);
  }

  /** The field sealer, made on first use (a clear session's writes seal nothing). */
  #writeSealer(): FieldSealer | undefined {
    return this.options.encryptData ? (this.#sealer ??= new FieldSealer(true)) : undefined;
  }

  async #carryOut(plan: CommitPlan, fields: ReadonlyMap<string, string>): Promise<void> {
    const { store } = this.options;
    if (plan.kind === "nothing") return;
    if (plan.kind === "destroyReplaced") await destroyIndexed(store, plan.replacesId, this.#record.binding?.userId);
    if (plan.kind === "drop" || plan.kind === "destroyReplaced") return this.#drop();
    if (plan.kind === "update") {
      const { storedId, token, binding } = this.#record;
      const result = await updateRecord(store, plan, storedId!, token!, binding?.userId, this.#writeSealer());
      if (result === "retired") return this.#retire(); // the write was dropped
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
