/**
 * The manager's store, observed: each store call gets a span and its
 * metrics (telemetry.ts), and the calls that create, rotate, delete or
 * revoke a session raise the matching lifecycle event (lifecycle-events.ts)
 * once the store acknowledged them. The handles and the user-session
 * functions call the store as before and know nothing of it; nothing here
 * sends a command of its own, so a read or a write costs the same commands
 * observed or not. Without hooks or telemetry the manager does not wrap its
 * store at all.
 */
import type { Clock } from "./clock.js";
import type { RevokeCause, SessionEvents } from "./lifecycle-events.js";
import { USER_ID_FIELD } from "./record-fields.js";
import type { AtomicFieldStore, CreateWrite, SessionStore, UserIndexStore } from "./store.js";
import { errorCode, pairAttributes, singleAttributes, type ResolvedTelemetry, type TelemetryAttributes } from "./telemetry.js";

/** What observes the store: the manager's hooks and telemetry, each optional. */
export interface StoreObservers {
  readonly events: SessionEvents | undefined;
  readonly telemetry: ResolvedTelemetry | undefined;
  readonly clock: Clock;
}

/** Who revokes through this view of the store, for the `revoked` event. */
export interface RevokeContext {
  readonly cause: RevokeCause;
  readonly byId?: string | undefined;
}

/** The store operations spans and metrics name (`tessera.operation`). */
type StoreOperation = "load" | "commit" | "destroy" | "index" | "field";

/** The `tessera.sessions.ended` attributes. */
const DESTROYED: TelemetryAttributes = { "tessera.end.reason": "destroyed" };
const REVOKED: TelemetryAttributes = { "tessera.end.reason": "revoked" };

/** The span's error status (OpenTelemetry's `SpanStatusCode.ERROR`). */
const SPAN_STATUS_ERROR = 2;

/** The user a create write binds the new record to, if any. */
function boundUser(write: CreateWrite): string | undefined {
  for (const [field, value] of write.set) if (field === USER_ID_FIELD) return value;
  return undefined;
}

/**
 * `store` observed by `observers`; `revoke` says who revokes through this
 * view (the handles' evictions are `"cap"`; the manager makes a view per
 * revoking call). Returns `store` itself when there is nothing to observe.
 *
 * @example
 * ```ts
 * const observed = observedStore(store, { events, telemetry, clock: systemClock });
 * ```
 */
export function observedStore(store: SessionStore, observers: StoreObservers, revoke: RevokeContext = { cause: "cap" }): SessionStore {
  const { events, telemetry, clock } = observers;
  if (events === undefined && telemetry === undefined) return store;
  const instruments = telemetry?.instruments;
  const tracer = telemetry?.tracer;
  const recordIds = telemetry?.recordSessionIds === true;
  const timing = pairAttributes("tessera.operation", "tessera.outcome");
  const failure = pairAttributes("tessera.operation", "error.code");
  const written = pairAttributes("tessera.write", "tessera.outcome");
  const loaded = singleAttributes("tessera.outcome");
  const writeKind = singleAttributes("tessera.write");

  /**
   * Runs one store call under a span and its latency and error metrics;
   * `outcomeOf` names a success's outcome (`tessera.outcome`), and
   * `counted`, if given, is told the outcome (`"error"` for a failure).
   */
  function track<T>(
    operation: StoreOperation,
    detail: TelemetryAttributes,
    id: string | undefined,
    work: () => Promise<T>,
    outcomeOf: (result: T) => string,
    counted?: (outcome: string) => void,
  ): Promise<T> {
    if (telemetry === undefined) return work();
    const span = tracer?.startSpan(`tessera.${operation}`, { attributes: { "tessera.operation": operation, ...detail } });
    if (span !== undefined && recordIds && id !== undefined) span.setAttribute("tessera.session.id", id);
    const started = performance.now();
    const finish = (outcome: string, failed: boolean, error?: unknown): void => {
      counted?.(outcome);
      instruments?.storeDuration.record((performance.now() - started) / 1000, timing(operation, outcome));
      if (failed) instruments?.errors.add(1, failure(operation, errorCode(error)));
      if (span === undefined) return;
      span.setAttribute("tessera.outcome", outcome);
      if (failed) {
        span.setAttribute("error.type", errorCode(error));
        span.setStatus({ code: SPAN_STATUS_ERROR, message: errorCode(error) });
      }
      span.end();
    };
    let pending: Promise<T>;
    try {
      pending = work();
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then(
      (result) => {
        finish(outcomeOf(result), false);
        return result;
      },
      (error: unknown) => {
        finish("error", true, error);
        throw error;
      },
    );
  }

  function revoked(id: string, userId: string | undefined): void {
    instruments?.ended.add(1, REVOKED);
    events?.emit("revoked", { id, at: clock.now(), userId, cause: revoke.cause, byId: revoke.byId });
  }

  function expiredInIndex(id: string, userId: string): void {
    events?.emit("expired", { id, at: clock.now(), seenBy: "index", userId });
  }

  const index = store.userIndex;
  const indexDetail = singleAttributes("tessera.index.operation");
  const done = (): string => "ok";
  const userIndex: UserIndexStore | undefined = index && {
    add: (userId, id, leaseEnd, now, removeIds) => track("index", indexDetail("add"), id, () => index.add(userId, id, leaseEnd, now, removeIds), done),
    remove: (userId, ids) => track("index", indexDetail("remove"), undefined, () => index.remove(userId, ids), done),
    entries: (userId, now, range) => track("index", indexDetail("entries"), undefined, () => index.entries(userId, now, range), done),
    inspect: (ids, now) => track("index", indexDetail("inspect"), undefined, () => index.inspect(ids, now), done),
    async revoke(id, userId) {
      const result = await track("index", indexDetail("revoke"), id, () => index.revoke(id, userId), (r) => (r.deleted ? "deleted" : "absent"));
      if (result.deleted) revoked(id, result.userId);
      return result;
    },
    async revokeEntry(userId, entry, now, options) {
      const result = await track("index", indexDetail("revokeEntry"), entry.id, () => index.revokeEntry(userId, entry, now, options), (r) => r);
      if (result === "deleted") revoked(entry.id, userId);
      // An entry with no record behind it: the session died without its
      // entry being removed, most often by its idle timeout.
      else if (result === "absent") expiredInIndex(entry.id, userId);
      return result;
    },
  };

  const fields = store.atomicFields;
  const fieldDetail = singleAttributes("tessera.field.operation");
  const statusOf = (result: { status: string } | string | unknown[]): string => (Array.isArray(result) ? "ok" : typeof result === "string" ? result : result.status);
  const atomicFields: AtomicFieldStore | undefined = fields && {
    take: (id, names, now) => track("field", fieldDetail("take"), id, () => fields.take(id, names, now), statusOf),
    restore: (id, entries, now) => track("field", fieldDetail("restore"), id, () => fields.restore(id, entries, now), done),
    increment: (id, field, by, now) => track("field", fieldDetail("increment"), id, () => fields.increment(id, field, by, now), statusOf),
    compareAndSet: (id, field, expected, next, now) =>
      track("field", fieldDetail("compareAndSet"), id, () => fields.compareAndSet(id, field, expected, next, now), statusOf),
  };

  return {
    load: (id, now, policy) =>
      track(
        "load",
        {},
        id,
        () => store.load(id, now, policy),
        (stored) => (stored === undefined ? "missing" : "found"),
        instruments && ((outcome) => instruments.loads.add(1, loaded(outcome))),
      ),
    async write(id, write, now) {
      const result = await track(
        "commit",
        writeKind(write.kind),
        id,
        () => store.write(id, write, now),
        (r) => r,
        instruments && ((outcome) => instruments.commits.add(1, written(write.kind, outcome))),
      );
      if (write.kind !== "create" || result !== "ok") return result;
      const at = clock.now();
      if (write.replaces === undefined) {
        instruments?.created.add(1);
        if (events?.has("created")) events.emit("created", { id, at, userId: boundUser(write) });
      } else {
        instruments?.regenerated.add(1);
        if (events?.has("regenerated")) events.emit("regenerated", { id, at, previousId: write.replaces, userId: boundUser(write) });
      }
      return result;
    },
    async destroy(id) {
      await track("destroy", {}, id, () => store.destroy(id), done);
      instruments?.ended.add(1, DESTROYED);
      events?.emit("destroyed", { id, at: clock.now() });
    },
    ...(userIndex && { userIndex }),
    ...(atomicFields && { atomicFields }),
    ...(store.sessionEnds && { sessionEnds: store.sessionEnds }),
  };
}
