/**
 * Flash messages: values set on one request and read once on a later one,
 * stored as the reserved `@f:<key>` fields of the record (record-fields.ts).
 * A flash is staged in the record state and written with the request's
 * other changes at commit (commit-plan.ts), so a failed request drops it;
 * taking one reads and deletes its field in one atomic store step, so of
 * two concurrent requests only one gets it; a take that finds no flash in
 * the loaded record asks the store nothing. No I/O of its own: the handle
 * passes the store and applies what comes back.
 */
import { NO_FLASHES, type RecordState } from "./commit-plan.js";
import { assertWithinSize, type FieldOptions } from "./data-fields.js";
import { requireAtomicFields, type FieldContext, type FieldStep } from "./atomic-update.js";
import type { SessionStoreError } from "./errors.js";
import { FLASH_FIELD_PREFIX } from "./record-fields.js";
import { assertUsableKey, decodeValue, encodeValue } from "./serialize.js";
import { changeRefusal } from "./session-lifetime.js";
import type { SessionStore } from "./store.js";

/** The record field of the flash `key`. @throws SessionKeyError for a key data could not use either. */
function flashField(key: string): string {
  assertUsableKey(key);
  return FLASH_FIELD_PREFIX + key;
}

/**
 * The flashes of a loaded record, `@f:` field to JSON text (`open` opens a
 * sealed one; a field it refuses is left out, as a corrupt data field is).
 * Allocates nothing for a record without flashes (most loads).
 */
export function loadedFlashes(fields: ReadonlyMap<string, string>, open: (field: string, text: string) => string | undefined): ReadonlyMap<string, string> {
  let flashes: Map<string, string> | undefined;
  // Keys only: no [field, text] pair made for each of a record's fields, on every load.
  for (const field of fields.keys()) {
    if (!field.startsWith(FLASH_FIELD_PREFIX)) continue;
    const json = open(field, fields.get(field)!);
    if (json !== undefined) (flashes ??= new Map()).set(field, json);
  }
  return flashes ?? NO_FLASHES;
}

/**
 * `session.flash(key, value)`: the state with the flash staged for the next
 * commit, replacing one of the same key (staged or stored).
 *
 * @throws SessionKeyError, SessionDataError, SessionTooLargeError for a key or value data could not hold
 *   (checked now, not at commit); SessionConfigError without store support; then what `changeRefusal` refuses.
 */
export function withFlash(
  record: RecordState,
  outage: SessionStoreError | undefined,
  store: SessionStore,
  options: FieldOptions,
  key: string,
  value: unknown,
): RecordState {
  const field = flashField(key);
  requireAtomicFields(store);
  if (value === undefined) throw new TypeError(`session.flash("${key}", undefined): a flash needs a value (JSON)`);
  const json = encodeValue(key, value);
  const refusal = changeRefusal(record, outage, "set a flash message");
  if (refusal) throw refusal;
  const pendingFlashes = new Map(record.pendingFlashes).set(field, json);
  assertWithinSize(pendingFlashes, options.maxSessionBytes);
  return { ...record, pendingFlashes };
}

/**
 * Takes the flashes of `keys` (all of them when undefined): a staged one
 * locally, a stored one with one atomic store call for all of them, none
 * when the loaded record holds none of those keys. A read-only (retired)
 * session takes nothing: its flashes moved with the regenerate to the new
 * token, which will show them.
 *
 * @throws SessionKeyError for an unusable key; SessionStoreError when the store fails (nothing taken locally either).
 */
export async function takeFlashes(
  context: FieldContext,
  keys: readonly string[] | undefined,
  open: (field: string, text: string) => string | undefined,
): Promise<FieldStep<Record<string, unknown>>> {
  const { record, store, now } = context;
  const fields = keys === undefined ? [...new Set([...record.pendingFlashes.keys(), ...record.storedFlashes.keys()])] : keys.map(flashField);
  const values: Record<string, unknown> = {};
  if (record.retired) return { value: values };
  const staged = fields.filter((field) => record.pendingFlashes.has(field));
  for (const field of staged) setValue(values, field, record.pendingFlashes.get(field));
  const unstage = (current: RecordState): RecordState => (staged.length === 0 ? current : { ...current, pendingFlashes: without(current.pendingFlashes, staged) });
  // A staged flash replaces a stored one of its key: that one is taken too, and dropped.
  const remote = record.storedId === undefined ? [] : fields.filter((field) => record.storedFlashes.has(field));
  if (remote.length === 0) return { value: values, apply: unstage };
  const answer = await requireAtomicFields(store).take(record.storedId!, remote, now);
  // The session is over (the handle drops it) or read-only now: no flash to show.
  if (typeof answer === "string") return { value: values, ended: answer };
  const taken: Array<readonly [string, string]> = [];
  remote.forEach((field, i) => {
    const text = answer[i];
    if (text === undefined) return; // another request took it first
    taken.push([field, text]);
    if (!staged.includes(field)) setValue(values, field, open(field, text));
  });
  return {
    value: values,
    apply: (current) => ({
      ...unstage(current),
      storedFlashes: without(current.storedFlashes, remote),
      takenFlashes: taken.length === 0 ? current.takenFlashes : [...current.takenFlashes, ...taken],
    }),
  };
}

/**
 * A failed request's taken flashes, put back (only where the key has no
 * newer flash, only on a live session) in one store call, and the state
 * without them. The request failed already, so a store failure here is
 * swallowed: it loses a message, and must not replace the response's error.
 */
export async function restoreTakenFlashes(record: RecordState, store: SessionStore, now: number): Promise<RecordState> {
  // A regenerate the failure discarded leaves the flashes' record where it was: under `replacesId`.
  const id = record.storedId ?? record.replacesId;
  if (id !== undefined && store.atomicFields) {
    try {
      await store.atomicFields.restore(id, record.takenFlashes, now);
    } catch {
      // See above: the failed request's own error is the one that matters.
    }
  }
  return { ...record, takenFlashes: [] };
}

function setValue(values: Record<string, unknown>, field: string, json: string | undefined): void {
  if (json === undefined) return;
  const key = field.slice(FLASH_FIELD_PREFIX.length);
  try {
    assertUsableKey(key); // a planted "@f:__proto__" must not reach the answer object
    values[key] = decodeValue(key, json);
  } catch {
    // A corrupt stored flash reads as none, as a corrupt data field does.
  }
}

function without(flashes: ReadonlyMap<string, string>, fields: readonly string[]): ReadonlyMap<string, string> {
  if (!fields.some((field) => flashes.has(field))) return flashes;
  const left = new Map(flashes);
  for (const field of fields) left.delete(field);
  return left.size === 0 ? NO_FLASHES : left;
}
