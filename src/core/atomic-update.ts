/**
 * Same-key atomic updates of session data: `session.increment` and
 * `session.compareAndSet`, each one store round trip on the stored field
 * (the store's `atomicFields`), where two requests writing the same key
 * through `session.data` would race (last writer wins). The new value goes
 * into the data and into the record's baseline, so the request's commit
 * sees no change of that key and never overwrites it. A new session (not
 * yet stored: no other request can hold its token) applies the operation
 * locally. No I/O of its own: the handle runs each step in its queue.
 */
import type { RecordState } from "./commit-plan.js";
import { assertWithinSize, type FieldOptions } from "./data-fields.js";
import { AtomicUpdateError, SessionConfigError, SessionRetiredError, type SessionStoreError } from "./errors.js";
import { assertUsableKey, decodeValue, encodeValue } from "./serialize.js";
import { changeRefusal } from "./session-lifetime.js";
import type { AtomicFieldStore, NoRecord, SessionStore } from "./store.js";

/**
 * The store's single-field operations.
 *
 * @throws SessionConfigError when the store has none (a third-party store without `atomicFields`).
 */
export function requireAtomicFields(store: SessionStore): AtomicFieldStore {
  if (!store.atomicFields) {
    throw new SessionConfigError(
      "This store has no atomic field operations, so flash messages, increment() and compareAndSet() are unavailable. Use redisStore or memoryStore, or implement SessionStore.atomicFields.",
    );
  }
  return store.atomicFields;
}

/** What the handle needs to run a step: its state now, its store and options, its data object. */
export interface FieldContext {
  readonly record: RecordState;
  readonly outage: SessionStoreError | undefined;
  readonly store: SessionStore;
  readonly options: FieldOptions & { readonly encryptData: boolean };
  readonly data: Record<string, unknown>;
  readonly now: number;
}

/**
 * A finished single-field step: the answer, the state change to apply (to
 * the state at the step's end), or why the store found no session
 * (`"gone"`: the handle drops it; `"retired"`: read-only now) and the error
 * to reject with then.
 */
export interface FieldStep<T> {
  readonly value: T;
  readonly apply?: (current: RecordState, data: Record<string, unknown>) => RecordState;
  readonly ended?: NoRecord;
  readonly error?: Error;
}

/**
 * `session.increment(key, by)`: adds the integer `by` to the key's stored
 * integer (absent: 0) and answers the sum.
 *
 * @throws TypeError for a `by` that is not a safe integer; SessionKeyError; SessionRetiredError, SessionStoreError
 *   (the outage); SessionConfigError without store support; AtomicUpdateError (see its `reason`).
 */
export async function increment(context: FieldContext, key: string, by: number): Promise<FieldStep<number>> {
  if (!Number.isSafeInteger(by)) throw new TypeError(`session.increment("${key}", by): by must be a safe integer, got ${String(by)}`);
  const { record, data } = checked(context, key, "increment a session value");
  if (record.storedId === undefined) {
    const sum = (data[key] ?? 0) as number;
    if (!Number.isSafeInteger(sum) || !Number.isSafeInteger(sum + by)) throw new AtomicUpdateError(key, "not-integer");
    data[key] = sum + by;
    return { value: sum + by };
  }
  const stored = record.baseline.get(key);
  assertFits(context, key, String(Number(stored ?? 0) + by));
  const answer = await requireAtomicFields(context.store).increment(record.storedId, key, by, context.now);
  if (answer.status === "not-integer") throw new AtomicUpdateError(key, "not-integer");
  if (answer.status !== "ok") return ended(answer.status, key, "increment a session value");
  const value = Number(answer.text);
  return { value, apply: settled(key, stored, answer.text) };
}

/**
 * `session.compareAndSet(key, expected, next)`: sets the key to `next`
 * (undefined: deletes it) only if its stored value is `expected`
 * (undefined: absent), comparing JSON texts. On a mismatch the data shows
 * the stored value, so a retry can start from it.
 *
 * @throws as {@link increment}, and SessionDataError for a value data could not hold.
 */
export async function compareAndSet(context: FieldContext, key: string, expected: unknown, next: unknown): Promise<FieldStep<boolean>> {
  const { record, data } = checked(context, key, "compare and set a session value");
  const expectedText = expected === undefined ? undefined : encodeValue(key, expected);
  const nextText = next === undefined ? undefined : encodeValue(key, next);
  if (record.storedId === undefined) {
    if (textOf(key, data[key]) !== expectedText) return { value: false };
    setData(data, key, nextText);
    return { value: true };
  }
  const stored = record.baseline.get(key);
  if (nextText !== undefined) assertFits(context, key, nextText);
  const answer = await requireAtomicFields(context.store).compareAndSet(record.storedId, key, expectedText, nextText, context.now);
  if (answer.status === "ok") return { value: true, apply: settled(key, stored, nextText) };
  if (answer.status === "mismatch") return { value: false, apply: settled(key, stored, answer.current) };
  return ended(answer.status, key, "compare and set a session value");
}

/** Options of `session.update`. */
export interface UpdateOptions {
  /** How many compare-and-sets to try before giving up (`AtomicUpdateError` `"contended"`). Default 5. */
  readonly attempts?: number;
}

/**
 * `session.update(key, fn)`: `fn` maps the key's value (undefined: absent)
 * to its next one (undefined: delete), applied with {@link compareAndSet}
 * and retried from the stored value when another request changed it first:
 * a read-modify-write that loses no concurrent change. `fn` may run several
 * times, so it must have no side effects.
 *
 * @throws RangeError for `attempts` that is not a positive integer; AtomicUpdateError `"contended"`; as {@link compareAndSet}.
 */
export async function updateWith<T>(
  session: { readonly data: Record<string, unknown>; compareAndSet(key: string, expected: unknown, next: unknown): Promise<boolean> },
  key: string,
  fn: (current: T | undefined) => T | undefined,
  options: UpdateOptions = {},
): Promise<T | undefined> {
  const attempts = options.attempts ?? 5;
  if (!Number.isSafeInteger(attempts) || attempts < 1) throw new RangeError(`session.update: attempts must be a positive integer, got ${String(attempts)}`);
  for (let attempt = 0; attempt < attempts; attempt++) {
    // After a mismatch the data holds the stored value: the next attempt starts from it.
    const current = session.data[key] as T | undefined;
    const next = fn(current === undefined ? undefined : structuredClone(current));
    if (await session.compareAndSet(key, current, next)) return next;
  }
  throw new AtomicUpdateError(key, "contended");
}

/** The context's state and data once the call may go ahead. */
function checked(context: FieldContext, key: string, action: string): { record: RecordState; data: Record<string, unknown> } {
  assertUsableKey(key);
  const refusal = changeRefusal(context.record, context.outage, action);
  if (refusal) throw refusal;
  // Redis cannot add to or compare ciphertext, and sealing in here would not be atomic.
  if (context.options.encryptData) throw new AtomicUpdateError(key, "encrypted");
  requireAtomicFields(context.store);
  const { record, data } = context;
  // The request's own uncommitted change of the key would be overwritten by
  // the stored value, or overwrite it at commit: refuse rather than guess.
  if (record.storedId !== undefined && textOf(key, data[key]) !== record.baseline.get(key)) throw new AtomicUpdateError(key, "pending-change");
  return { record, data };
}

/** The key's data, as its JSON text would be stored (undefined: absent). */
function textOf(key: string, value: unknown): string | undefined {
  return value === undefined ? undefined : encodeValue(key, value);
}

function setData(data: Record<string, unknown>, key: string, text: string | undefined): void {
  if (text === undefined) delete data[key];
  else data[key] = decodeValue(key, text);
}

/**
 * The state change once the store holds `text` for `key` (undefined: absent):
 * the data shows it and the baseline records it, so the commit leaves the
 * key alone; unless the app changed the key meanwhile (then its change
 * stands, to be committed).
 */
function settled(key: string, stored: string | undefined, text: string | undefined): (current: RecordState, data: Record<string, unknown>) => RecordState {
  return (current, data) => {
    if (textOf(key, data[key]) !== stored) return current;
    setData(data, key, text);
    const baseline = new Map(current.baseline);
    if (text === undefined) baseline.delete(key);
    else baseline.set(key, text);
    return { ...current, baseline };
  };
}

/** Refuses a value that would take the session past `maxSessionBytes` (as its commit would). */
function assertFits(context: FieldContext, key: string, text: string): void {
  const fields = new Map(context.record.baseline).set(key, text);
  assertWithinSize(fields, context.options.maxSessionBytes);
}

/** The step of an update that found no session: the handle drops it (gone) or turns read-only (retired), then rejects. */
function ended<T>(why: NoRecord, key: string, action: string): FieldStep<T> {
  return { value: undefined as T, ended: why, error: why === "gone" ? new AtomicUpdateError(key, "gone") : new SessionRetiredError(action) };
}
