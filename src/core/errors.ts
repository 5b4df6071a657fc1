/**
 * Every error Tessera throws is a `TesseraError` with a stable `code`.
 * Branch on `code` (or `instanceof`), never on the message text.
 */

/** Stable codes carried by {@link TesseraError.code}. */
export type TesseraErrorCode =
  | "TESSERA_CONFIG"
  | "TESSERA_STORE_UNAVAILABLE"
  | "TESSERA_STORE_TIMEOUT"
  | "TESSERA_UNSERIALIZABLE"
  | "TESSERA_SESSION_TOO_LARGE"
  | "TESSERA_INVALID_KEY"
  | "TESSERA_SESSION_STATE"
  | "TESSERA_CSRF"
  | "TESSERA_ATOMIC_UPDATE";

/**
 * Base class of all Tessera errors.
 *
 * @example
 * ```ts
 * if (err instanceof TesseraError && err.code === "TESSERA_STORE_TIMEOUT") res.status(503);
 * ```
 */
export class TesseraError extends Error {
  /** Stable, machine-readable code. */
  readonly code: TesseraErrorCode;

  constructor(code: TesseraErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Invalid options passed to `createSessionManager` or an adapter. Thrown at
 * start-up, never per request; the message says how to fix it.
 *
 * @example
 * ```ts
 * createSessionManager({ store, secrets: ["short"] }); // throws SessionConfigError
 * ```
 */
export class SessionConfigError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_CONFIG", message);
  }
}

/**
 * The session store could not be reached, failed, or did not answer in time.
 * `cause` holds the underlying client error. For writes that timed out,
 * `outcome` is `"unknown"`: the write may or may not have been applied
 * (Redis clients replay queued commands after a reconnect), which is safe
 * because every Tessera write is idempotent.
 *
 * Frameworks receive it through their normal error path; a 503 is the
 * usual response.
 *
 * @example
 * ```ts
 * app.use((err, req, res, next) => {
 *   if (err instanceof SessionStoreError) return res.status(503).send("Try again shortly");
 *   next(err);
 * });
 * ```
 */
export class SessionStoreError extends TesseraError {
  /** HTTP status that fits this error; adapters and examples use it. */
  readonly status = 503;
  /** Which store operation failed. */
  readonly operation: string;
  /** `"failed"`: not applied. `"unknown"`: timed out, may have been applied. */
  readonly outcome: "failed" | "unknown";

  constructor(
    operation: string,
    message: string,
    options: { cause?: unknown; timedOut?: boolean } = {},
  ) {
    super(options.timedOut ? "TESSERA_STORE_TIMEOUT" : "TESSERA_STORE_UNAVAILABLE", message, {
      cause: options.cause,
    });
    this.operation = operation;
    this.outcome = options.timedOut ? "unknown" : "failed";
  }
}

/**
 * A session value cannot be stored faithfully (a function, a cycle, a
 * BigInt, `undefined` or a hole in an array, an array with named
 * properties, a Map, a Date, a `__proto__` key, nesting deeper than 64
 * levels...). Raised by `commit()`; nothing is written, so the stored
 * session is unchanged.
 *
 * @example
 * ```ts
 * req.session.data.when = new Date(); // commit fails: SessionDataError, key "when"
 * ```
 */
export class SessionDataError extends TesseraError {
  /** The top-level session key whose value is the problem. */
  readonly key: string;
  /** Path to the offending value, e.g. `cart.items[2].price`. */
  readonly path: string;

  constructor(key: string, path: string, problem: string) {
    super(
      "TESSERA_UNSERIALIZABLE",
      `Session value at "${path}" cannot be stored: ${problem}. Session data must be plain JSON (objects, arrays, strings, finite numbers, booleans, null).`,
    );
    this.key = key;
    this.path = path;
  }
}

/**
 * The session, serialised, is larger than `maxSessionBytes`. Raised by
 * `commit()`; nothing is written.
 */
export class SessionTooLargeError extends TesseraError {
  /** The serialised size in bytes. */
  readonly size: number;
  /** The configured limit in bytes. */
  readonly limit: number;
  /** The largest top-level key, to point at the culprit. */
  readonly key: string;

  constructor(size: number, limit: number, key: string) {
    super(
      "TESSERA_SESSION_TOO_LARGE",
      `Session is ${size} bytes, over the limit of ${limit} bytes (largest key: "${key}"). Store less in the session or raise maxSessionBytes.`,
    );
    this.size = size;
    this.limit = limit;
    this.key = key;
  }
}

/**
 * A session key that cannot be used: empty, `__proto__` (also raised when
 * `data.__proto__` was assigned, which leaves the prototype unchanged),
 * holding a lone UTF-16 surrogate (Redis stores field names as UTF-8), or
 * starting with the `@` that Tessera reserves for its own metadata fields.
 */
export class SessionKeyError extends TesseraError {
  /** The rejected key. */
  readonly key: string;

  constructor(key: string, reason: string) {
    super("TESSERA_INVALID_KEY", `Session key "${key}" cannot be used: ${reason}.`);
    this.key = key;
  }
}

/**
 * A change that a read-only session cannot make: the request carries a
 * token that a regenerate rotated away within its grace window
 * (`regenerateGraceSeconds`), so `regenerate()`, `bindUser()`, `destroy()`,
 * `setExpiry()` and `markAuthenticated()` reject with it (data changes are
 * dropped silently instead). The browser holds the new token by now, or
 * will: its next request can make the change.
 *
 * @example
 * ```ts
 * if (req.session.readOnly) return res.status(409).send("Signed in again a moment ago: please retry.");
 * ```
 */
export class SessionRetiredError extends TesseraError {
  constructor(action: string) {
    super(
      "TESSERA_SESSION_STATE",
      `Cannot ${action}: this request carries a session token that was just rotated (the regenerate grace window), so its session is read-only. Retry with the new token.`,
    );
  }
}

/** Why an atomic update ({@link AtomicUpdateError}) was refused. */
export type AtomicUpdateRefusal = "encrypted" | "pending-change" | "not-integer" | "gone" | "contended";

/**
 * `session.increment()` or `session.compareAndSet()` could not run:
 * `"encrypted"`, the manager has `encryptData` on (Redis cannot add to or
 * compare ciphertext); `"pending-change"`, the key holds a change of this
 * request not yet committed (commit first, or change it only atomically);
 * `"not-integer"`, the stored value (or the sum) is not a safe integer;
 * `"gone"`, the session was destroyed, revoked or expired meanwhile (the
 * handle is a new, empty session now, its cookie cleared); `"contended"`,
 * `session.update()` lost the race on every attempt. Nothing changed.
 *
 * @example
 * ```ts
 * try { await req.session.increment("visits"); } catch (err) { if (err instanceof AtomicUpdateError && err.reason === "gone") res.redirect("/login"); }
 * ```
 */
export class AtomicUpdateError extends TesseraError {
  /** The session key the update was for. */
  readonly key: string;
  readonly reason: AtomicUpdateRefusal;

  constructor(key: string, reason: AtomicUpdateRefusal) {
    super("TESSERA_ATOMIC_UPDATE", `Cannot update session key "${key}" atomically: ${ATOMIC_REFUSAL_TEXT[reason]}.`);
    this.key = key;
    this.reason = reason;
  }
}

const ATOMIC_REFUSAL_TEXT: Record<AtomicUpdateRefusal, string> = {
  encrypted: "encryptData is on, and Redis cannot add to or compare sealed values",
  "pending-change": "this request changed the key and has not committed it (commit first, or change the key only atomically)",
  "not-integer": "its stored value, or the result, is not a safe integer",
  gone: "the session no longer exists (destroyed, revoked or expired meanwhile)",
  contended: "other requests changed it on every attempt (raise attempts, or retry later)",
};
