import type { SessionExpirySettings } from "./session-expiry.js";
import type { SessionKeyOperations } from "./session-key-operations.js";
import type { DeviceInfo } from "./user-sessions.js";

/**
 * The type of `session.data` for a data shape `D`: every declared key is
 * optional (a new session starts empty). While `D` declares no keys at all,
 * as `SessionData` before an app augments it, any key is allowed and values
 * are `unknown`, so code works before it is typed.
 */
export type SessionDataOf<D extends object> = [keyof D] extends [never]
  ? Record<string, unknown>
  : Partial<D>;

/**
 * The session of one request, as handlers see it (`req.session`,
 * `ctx.session`...). Change `data` freely; the adapter commits the changes
 * when the response is sent.
 *
 * @typeParam D - the shape of the session data; see `SessionData` for
 * declaring it once for the whole app.
 */
export interface Session<D extends object> extends SessionKeyOperations {
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
   * Gives this session its own timeouts and cookie kind, in place of the
   * manager's, from the next commit on ("keep me signed in", or a kiosk's
   * short session): stored with the session, enforced by the same one-round-
   * trip read as always, kept across `regenerate()`, shown by the CLI's
   * `sessions` command. Settings left out are the manager's; `null` goes
   * back to the manager's timeouts. Each timeout is capped by the manager's
   * `maxIdleTimeoutSeconds` / `maxAbsoluteTimeoutSeconds` (which default to
   * its own timeouts: raise them to allow longer sessions). The absolute
   * timeout still counts from `createdAt`.
   *
   * @throws TypeError, RangeError for bad settings or settings past a maximum (nothing changes).
   * @throws SessionStoreError on a session the store could not load; SessionRetiredError on a read-only one.
   *
   * @example
   * ```ts
   * if (req.body.remember === "on") req.session.setExpiry({ idleTimeoutSeconds: 30 * 24 * 3600, persistent: true });
   * ```
   */
  setExpiry(settings: SessionExpirySettings | null): void;
  /**
   * When the user last really authenticated (epoch ms): set by
   * `regenerate()` and `bindUser()` (a login) and by
   * {@link markAuthenticated}; undefined if never.
   */
  readonly authenticatedAt: number | undefined;
  /**
   * Step-up ("sudo mode"): whether the user really authenticated within
   * the last `seconds`. Guard sensitive actions (changing the password or
   * e-mail, payments) with it and ask for the password again when false.
   *
   * @throws TypeError when `seconds` is not a positive number.
   *
   * @example
   * ```ts
   * if (!req.session.authenticatedWithin(5 * 60)) return res.redirect("/reauthenticate");
   * ```
   */
  authenticatedWithin(seconds: number): boolean;
  /**
   * Records a real authentication now (a re-entered password, a second
   * factor), stored at commit, without rotating the token; call
   * `regenerate()` too when the privilege level changes.
   *
   * @throws SessionStoreError on a session the store could not load; SessionRetiredError on a read-only one.
   */
  markAuthenticated(): void;
  /**
   * True when the request carries a token that a `regenerate()` rotated
   * away moments ago, within the manager's `regenerateGraceSeconds`: the
   * session reads as it was, but its changes are dropped, its response
   * leaves the cookie alone, and `regenerate()`, `bindUser()`, `destroy()`,
   * `setExpiry()` and `markAuthenticated()` reject (`SessionRetiredError`).
   * Always false with the grace window off (the default).
   */
  readonly readOnly: boolean;
  /**
   * Issues a new token at commit, moving the data to it atomically and
   * killing the old token. Call it on any privilege change, to defeat
   * session fixation (`bindUser` does it for you at login). Calling it
   * twice before a commit rotates once. Keeps `createdAt`: the absolute
   * timeout is not extended; keeps the session's own expiry (`setExpiry`);
   * sets {@link authenticatedAt}. With the manager's
   * `regenerateGraceSeconds`, the old token reads the old session,
   * read-only, for that long (see {@link readOnly}).
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
  /**
   * Makes this request's client a header client: its token travels in a
   * header (see the manager's `transport`), so the response sets no cookie,
   * and a token issued by this request's commit (a login, a regenerate) is
   * handed over by {@link takeIssuedToken}. Needed only on a login route of
   * a manager that also has the cookie transport (an API login next to the
   * browser's); a session loaded from a header token is already one.
   *
   * @example
   * ```ts
   * app.post("/api/login", async (req, res) => {
   *   req.session.useHeaderToken();
   *   await req.session.regenerate();
   *   req.session.data.username = req.body.username;
   *   await req.session.commit();
   *   res.json({ token: req.session.takeIssuedToken() });
   * });
   * ```
   */
  useHeaderToken(): void;
  /**
   * A header client's token issued by a commit of this request (a new
   * session, a regenerate, a re-signing after a secret rotation), once:
   * later calls, a session whose token did not change, a cookie client's
   * session, and a failed request get undefined. The token is the bearer
   * credential: hand it only to its client (never log it, never list it;
   * listings show `id`). A token the app does not take goes out in the
   * `Tessera-Session-Token` response header, so the client is never left
   * holding a dead one.
   */
  takeIssuedToken(): string | undefined;
}

/** Per-request facts the adapter supplies. */
export interface RequestFacts {
  /** True when the request arrived over HTTPS (directly or via a trusted proxy). */
  readonly secure: boolean;
}

/**
 * @internal The facts of one request from what its adapter gave: `secure`
 * as a value, or an object whose `secure` property answers when read, read
 * only when a cookie is rendered (see the Express adapter's RequestSecure).
 */
export function requestFacts(secure: boolean | RequestFacts): RequestFacts {
  return typeof secure === "boolean" ? { secure } : secure;
}
