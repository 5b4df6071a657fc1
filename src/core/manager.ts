import { readSessionCookies, renderSetCookie, type SessionCookieValues } from "./cookie.js";
import { SessionStoreError } from "./errors.js";
import { resolveOptions, resolveStoreOutage, type ResolvedOptions, type SessionManagerOptions, type StoreOutagePolicy } from "./options.js";
import type { SessionData } from "./session-data.js";
import { SessionHandle } from "./session-handle.js";
import { requestFacts, type RequestFacts, type Session } from "./session.js";
import { storeWithDeadline } from "./timeout.js";
import type { ResponseHeader } from "./token-delivery.js";
import { headerToken, type RequestHeaders } from "./transport.js";
import { withoutRenewal } from "./expiry.js";
import { verifiedCookies } from "./verified-cookies.js";
import { observedStore, type RevokeContext } from "./observed-store.js";
import { managerLifecycle } from "./manager-lifecycle.js";
import { loadLegacySession } from "./migration.js";
import {
  assertUserId,
  listUserSessions,
  requireUserIndex,
  resolveListWindow,
  revokeSession,
  revokeUserSessions,
  type UserSession,
  type UserSessionPage,
} from "./user-sessions.js";

/** What an adapter passes to {@link SessionManager.load} for one request. */
export interface LoadInput {
  /**
   * True when the request arrived over HTTPS (directly or via a trusted
   * proxy), or an object whose `secure` property tells it, read only when
   * the answer is needed (a cookie is rendered under `cookie.secure:
   * "auto"`): for a framework where the answer costs work. Such an object
   * is held by the session, so it should not hold the request itself once
   * the response is out (the Express adapter's `RequestSecure`).
   */
  readonly secure: boolean | RequestFacts;
  /** The raw `Cookie` request header, if any. */
  readonly cookieHeader?: string | undefined;
  /**
   * The request's headers, read only for the manager's header transports
   * (`"bearer"`, `{ header }`): Node's header object, or a lookup by
   * lower-case name. Cookie-only managers never look at them.
   */
  readonly headers?: RequestHeaders | undefined;
  /**
   * A token the app got from anywhere else (a query parameter, a message, a
   * socket's handshake): when given, it alone is read, the cookie and the
   * headers are not, and the session is a header client's (see
   * `session.takeIssuedToken()`). A value that is not a valid token gives
   * an anonymous session, with no store call when secrets are set.
   */
  readonly token?: string | undefined;
  /** This request's store outage policy, overriding the manager's `storeOutage` (per-route choice). */
  readonly storeOutage?: StoreOutagePolicy;
  /**
   * `false`: neither this load nor the session's commits move its expiry
   * (a WebSocket's traffic is not the user's activity, and no cookie could
   * follow the move). Default `true`.
   */
  readonly renew?: boolean;
}

/**
 * How a request ended, as the adapter saw it: `failed` when it ended in an
 * unhandled error or a 5xx response.
 */
export interface RequestOutcome {
  readonly failed: boolean;
}

/**
 * Loads and commits sessions for requests. Create one per app with
 * {@link createSessionManager} and hand it to a framework adapter; adapters
 * are the only callers of `load` and `commit`.
 *
 * @typeParam D - the session data shape (defaults to the app-wide `SessionData`).
 */
export interface SessionManager<D extends object> {
  /** The validated options, defaults filled in. */
  readonly options: ResolvedOptions;
  /**
   * The session for a request. No session cookie: no store round trip. A
   * forged, tampered, unknown or expired cookie: a new anonymous session
   * (and the bad cookie is cleared at commit). Otherwise one round trip,
   * which also renews the expiry when due.
   *
   * When the header carries several cookies of the session's name (a sibling
   * subdomain or a man-in-the-middle can plant one for another domain or
   * path), each is tried in header order, up to 4 of them,
   * and the first that verifies and names a live session wins; a decoy costs
   * a round trip only if it verifies (without secrets, any well-formed value
   * does). The cookie is cleared only when none was live, so a decoy never
   * clears or shadows a valid session. A decoy that is itself a live session
   * (the attacker's own) and comes first still wins: `__Host-` cookie names
   * are the real defence against such cookie tossing.
   *
   * With header transports (the manager's `transport`), the first one whose
   * credential the request carries is read, and only that one; a
   * malformed, forged or oversized header token gives an anonymous session
   * (no store call when secrets are set), and `Authorization` with another
   * scheme is not a credential at all. See docs/header-tokens.md.
   *
   * @throws SessionStoreError when the store is down or slow; never turns that into "logged out".
   * With the `"anonymous"` outage policy it resolves instead to an empty
   * session marked `unavailable`, which is never written back.
   */
  load(input: LoadInput): Promise<Session<D>>;
  /**
   * {@link load}, answered at once when the request needs no store round
   * trip (it carries no session credential and nothing is migrated: most
   * anonymous requests): the session itself, else the promise `load`
   * returns. For adapters' hot paths, where a promise and a turn of the
   * microtask queue per request are measurable; a caller that does not
   * care awaits either.
   *
   * @example
   * ```ts
   * const loaded = sessions.loadNowOrLater({ cookieHeader: req.headers.cookie, secure: false });
   * const session = loaded instanceof Promise ? await loaded : loaded;
   * ```
   */
  loadNowOrLater(input: LoadInput): Session<D> | Promise<Session<D>>;
  /**
   * Commits the session's changes (if any) and returns every header the
   * response must carry, in order, as `[name, value]` pairs to append one
   * by one (`set-cookie` may come several times): the session's Set-Cookie,
   * if the commit decided one; for a session migrated from another library
   * on this request, the clearing of that library's cookies; for a header
   * client, `Tessera-Session-Expires` when its expiry moved and
   * `Tessera-Session-Token` (with `Cache-Control: no-store`) when a token
   * was issued that the app did not take. An empty list for most requests.
   * What adapters call at the framework's last moment.
   *
   * With `{ failed: true }` (the request ended in an unhandled error or a
   * 5xx) and the manager's `commitOnError` off (the default), the changes
   * are discarded instead, with no store call, and the Set-Cookie is at
   * most a renewal of the request's own token or a clearing cookie, never
   * a new or rotated session's (nor is a failed request's new token sent).
   *
   * @throws SessionDataError, SessionTooLargeError, SessionKeyError, SessionStoreError, as a rejection.
   *
   * @example
   * ```ts
   * for (const [name, value] of await sessions.commitResponse(session, { failed: res.statusCode >= 500 })) res.appendHeader(name, value);
   * // with a fetch Response: for (const [name, value] of list) response.headers.append(name, value);
   * ```
   */
  commitResponse(session: Session<D>, outcome?: RequestOutcome): Promise<readonly ResponseHeader[]>;
  /**
   * {@link commitResponse}, answered at once when there is nothing to write
   * (an anonymous request, an unchanged session's read): the header list
   * itself, else the promise of it. It never throws: an error is a rejected
   * promise, as from `commitResponse`. For adapters' hot paths, like
   * {@link loadNowOrLater}.
   *
   * @example
   * ```ts
   * const headers = sessions.commitResponseNowOrLater(session, { failed: res.statusCode >= 500 });
   * for (const [name, value] of Array.isArray(headers) ? headers : await headers) res.appendHeader(name, value);
   * ```
   */
  commitResponseNowOrLater(session: Session<D>, outcome?: RequestOutcome): readonly ResponseHeader[] | Promise<readonly ResponseHeader[]>;
  /**
   * The headers of {@link commitResponse} decided so far (after `load` and
   * any explicit `session.commit()`), without committing. Adapters emit them
   * when headers go out before the final commit, as in streamed responses.
   * With `{ failed: true }` the request's changes are discarded as in
   * {@link commitResponse}, and only what a failed response may carry is returned.
   */
  pendingResponseHeaders(session: Session<D>, outcome?: RequestOutcome): readonly ResponseHeader[];
  /**
   * {@link commitResponse} for a caller that wants only the session's own
   * cookie: commits the same way and returns the Set-Cookie header value the
   * response must carry, or undefined when none is needed. It leaves out
   * what else the response must carry (a migrated library's clearing
   * cookies, a header client's token headers): an adapter should emit
   * {@link commitResponse}'s list instead.
   *
   * @example
   * ```ts
   * const cookie = await sessions.commit(session, { failed: res.statusCode >= 500 });
   * if (cookie !== undefined) res.appendHeader("Set-Cookie", cookie);
   * ```
   */
  commit(session: Session<D>, outcome?: RequestOutcome): Promise<string | undefined>;
  /**
   * The session's Set-Cookie header value decided so far, without
   * committing: the cookie alone of {@link pendingResponseHeaders}, as
   * {@link commit} is of {@link commitResponse}.
   */
  pendingSetCookie(session: Session<D>, outcome?: RequestOutcome): string | undefined;
  /**
   * A user's live sessions (those bound with `session.bindUser`), most
   * recently seen first, with the device facts kept at sign-in: the first
   * page of {@link listUserSessionPage}, so at most `limit` sessions
   * (default 100, the default `maxSessionsPerUser`; at most 1000). Shows
   * public ids, never tokens. Two round trips; dead index entries found on
   * the way are dropped.
   *
   * @param options.currentId - the id of the session making the request
   *   (`req.session.id`), marked `current: true` ("this device").
   * @throws TypeError for a `limit` outside 1..1000.
   * @throws SessionStoreError when the store is down or slow.
   *
   * @example
   * ```ts
   * app.get("/sessions", async (req, res) => {
   *   const list = await sessions.listUserSessions(req.session.userId!, { currentId: req.session.id });
   *   res.render("sessions", { list });
   * });
   * ```
   */
  listUserSessions(userId: string, options?: { currentId?: string | undefined; limit?: number }): Promise<UserSession[]>;
  /**
   * One page of a user's live sessions: pages are windows of the user's
   * index, newest lease (latest sign-in or activity) first, each sorted
   * most recently seen first. A page costs at most `limit` inspections
   * (default 100, at most 1000) whatever the number of sessions; pass
   * `nextCursor` back as `cursor` for the next page.
   *
   * @throws TypeError for a bad `limit` or `cursor`.
   * @throws SessionStoreError when the store is down or slow.
   *
   * @example
   * ```ts
   * const all: UserSession[] = [];
   * let cursor: string | undefined;
   * do {
   *   const page = await sessions.listUserSessionPage("user-42", { limit: 500, cursor });
   *   all.push(...page.sessions);
   *   cursor = page.nextCursor;
   * } while (cursor !== undefined);
   * ```
   */
  listUserSessionPage(userId: string, options?: { currentId?: string | undefined; limit?: number; cursor?: string | undefined }): Promise<UserSessionPage>;
  /**
   * Revokes one session by its public id: it is deleted from the store, so
   * its next request, on any instance, is anonymous (and a request already
   * in flight cannot write it back). Pass `userId` whenever the id comes
   * from a browser, so a user can revoke only their own sessions (a
   * `userId` key that is present but undefined revokes nothing). Resolves
   * to false when there was no such session (or it belongs to someone else).
   *
   * @throws SessionStoreError when the store is down or slow.
   *
   * @example
   * ```ts
   * app.post("/sessions/:id/revoke", async (req, res) => {
   *   await sessions.revokeSession(req.params.id, { userId: req.session.userId });
   *   res.redirect("/sessions");
   * });
   * ```
   */
  revokeSession(id: string, options?: { userId?: string | undefined }): Promise<boolean>;
  /**
   * Revokes all of a user's sessions ("log out everywhere"), optionally
   * except one ("everywhere else": pass the current session's id).
   * Resolves to the ids revoked. Every session the user had when it
   * started is dead when it resolves, including one being regenerated,
   * logged in or bound at that moment (such a login fails closed); see
   * docs/sessions-and-cli.md for the argument.
   *
   * @throws SessionStoreError when the store is down or slow.
   *
   * @example
   * ```ts
   * await sessions.revokeUserSessions(req.session.userId!, { exceptId: req.session.id });
   * ```
   */
  revokeUserSessions(userId: string, options?: { exceptId?: string | undefined }): Promise<string[]>;
}

function asHandle<D extends object>(session: Session<D>): SessionHandle<D> {
  if (!(session instanceof SessionHandle)) throw new TypeError("Not a session loaded by this Tessera manager");
  return session as SessionHandle<D>;
}

/**
 * Creates the session manager: validates options (throwing a
 * `SessionConfigError` that says how to fix them) and returns the object
 * framework adapters use.
 *
 * @example
 * ```ts
 * import { createSessionManager } from "tessera-session";
 * import { redisStore } from "tessera-session/redis";
 *
 * const sessions = createSessionManager({
 *   store: redisStore({ client: new Redis(process.env.REDIS_URL), prefix: "myapp:" }),
 *   secrets: [process.env.SESSION_SECRET],
 *   idleTimeoutSeconds: 30 * 60,
 *   absoluteTimeoutSeconds: 7 * 24 * 3600,
 * });
 * ```
 */
export function createSessionManager<D extends object = SessionData>(
  options: SessionManagerOptions,
): SessionManager<D> {
  const resolved = resolveOptions(options);
  const { policy, clock, secrets, storeTimeoutMs, events, telemetry } = resolved;
  // The one place the store deadline is applied: every store call below,
  // the handles' included, goes through this wrapper.
  const deadlined = storeWithDeadline(resolved.store, storeTimeoutMs);
  // Hooks and telemetry watch the store from outside the deadline, so a
  // timeout is an outcome they see (observed-store.ts); without either,
  // this is `deadlined` itself.
  const observers = { events, telemetry, clock };
  const store = observedStore(deadlined, observers);
  if (telemetry?.meter !== undefined) resolved.store.instrument?.(telemetry.meter);
  const lifecycle = managerLifecycle(events, telemetry, clock);
  /** What the handles see: the options, with the store under the deadline (and observed, with hooks or telemetry). */
  const handleOptions: ResolvedOptions = { ...resolved, store };

  /** What the handles of `renew: false` loads see: the same, with renewals off. */
  const frozenOptions: ResolvedOptions = { ...handleOptions, policy: withoutRenewal(policy) };

  const cookies = verifiedCookies(secrets);

  const { transports } = resolved;
  const cookieOnly = transports.length === 1 && transports[0]!.kind === "cookie";
  const cookieTransported = transports.some((t) => t.kind === "cookie");

  function outageOf(input: LoadInput) {
    return input.storeOutage === undefined ? resolved.storeOutage : resolveStoreOutage(input.storeOutage);
  }

  /** The options a load's handle gets: renewals off for a `renew: false` load. */
  function optionsFor(input: LoadInput): ResolvedOptions {
    return input.renew === false ? frozenOptions : handleOptions;
  }

  /**
   * The session of a request: at once when no store round trip is needed
   * (no credential, nothing to migrate: most anonymous requests), else the
   * promise of it.
   */
  function loadNowOrLater(input: LoadInput): Session<D> | Promise<Session<D>> {
    const facts = requestFacts(input.secure);
    if (input.token !== undefined) return loadHeaderToken(input, facts, input.token, false, false);
    // Parsed once: the cookie transport reads it, and a header token's request is told whether it also carries one (CSRF).
    const sent = readSessionCookies(input.cookieHeader, resolved.cookie.name);
    if (cookieOnly) return sent.values.length === 0 ? withoutCookie(input, facts) : loadFromCookie(input, facts, sent);
    // The first transport whose credential is present decides; the others are not read.
    for (const transport of transports) {
      if (transport.kind === "cookie") {
        if (sent.values.length > 0) return loadFromCookie(input, facts, sent);
        continue;
      }
      const value = headerToken(transport, input.headers);
      if (value !== undefined) return loadHeaderToken(input, facts, value, true, sent.values.length > 0);
    }
    if (cookieTransported) return withoutCookie(input, facts); // no credential: a new session, on the cookie (or a migrated one)
    const fresh = new SessionHandle<D>(handleOptions, facts);
    fresh.delivery.deliverInHeader(undefined);
    return fresh;
  }

  /** The session of a cookie-transport request without a session cookie: new, or migrated from another library's. */
  function withoutCookie(input: LoadInput, facts: RequestFacts): Session<D> | Promise<Session<D>> {
    if (resolved.migrate === undefined) return new SessionHandle<D>(handleOptions, facts);
    const migrating = loadLegacySession<D>(handleOptions, resolved.migrate, input.cookieHeader, facts, outageOf(input));
    return lifecycle === undefined ? migrating : migrating.then((handle) => lifecycle.migrated(handle, resolved.migrate!.library));
  }

  /**
   * A session from a header (or raw) token: the same value, verification and
   * store call as a cookie's, delivered to a header client.
   */
  async function loadHeaderToken(input: LoadInput, facts: RequestFacts, value: string, fromHeader: boolean, carriesCookie: boolean): Promise<Session<D>> {
    const verified = cookies.verify(value);
    let handle: SessionHandle<D> | undefined;
    if (verified !== undefined) {
      const options = optionsFor(input);
      try {
        const stored = await store.load(verified.id, clock.now(), options.policy);
        handle = stored && SessionHandle.fromStore<D>(options, facts, verified.token, verified.id, stored, verified.stale, verified.value);
        if (handle) cookies.confirm(verified);
        else lifecycle?.gone(verified.id);
      } catch (error) {
        if (outageOf(input) !== "anonymous" || !(error instanceof SessionStoreError)) throw error;
        handle = SessionHandle.unavailable<D>(handleOptions, facts, error); // still a header client's: no cookie, no CSRF check
      }
    }
    handle ??= new SessionHandle<D>(handleOptions, facts);
    handle.delivery.deliverInHeader(value, fromHeader, carriesCookie);
    return handle;
  }

  /** The session named by the request's session cookies (at least one). */
  async function loadFromCookie(input: LoadInput, facts: RequestFacts, sent: SessionCookieValues): Promise<Session<D>> {
    // Several cookies of the name mean one may be a decoy planted for another
    // domain or path: try each in header order and take the first live
    // session. A forged value costs no round trip with secrets; one cookie
    // costs exactly one.
    for (const value of sent.values) {
      const cookie = cookies.verify(value);
      if (cookie === undefined) continue;
      const options = optionsFor(input);
      let stored;
      try {
        stored = await store.load(cookie.id, clock.now(), options.policy);
      } catch (error) {
        if (outageOf(input) === "anonymous" && error instanceof SessionStoreError) return SessionHandle.unavailable<D>(handleOptions, facts, error);
        throw error;
      }
      const handle = stored && SessionHandle.fromStore<D>(options, facts, cookie.token, cookie.id, stored, cookie.stale, cookie.value);
      if (handle) {
        cookies.confirm(cookie);
        return handle;
      }
      lifecycle?.gone(cookie.id);
    }
    const anonymous = new SessionHandle<D>(handleOptions, facts);
    // The clearing Set-Cookie deletes the cookie at our own domain and path,
    // whichever of the values sent that is. Every value was tried and none
    // is live, so nothing worth keeping is lost; but past the cap an untried
    // value may be the live session, so then nothing is cleared.
    if (!sent.truncated) anonymous.delivery.markCookieDead();
    return anonymous;
  }

  /** The one place that applies `commitOnError`: a failed request's changes are discarded unless it is on. */
  function discardIfFailed(handle: SessionHandle<D>, outcome: RequestOutcome | undefined): void {
    if (outcome?.failed === true && !resolved.commitOnError) handle.discardChanges();
  }

  /**
   * The request's final commit, then `answer` read from the handle: the
   * one commit path of `commit`, `commitResponse` and
   * `commitResponseNowOrLater`. Answers at once when there is nothing to
   * write (most requests), else with the commit's promise; never throws:
   * an error is a rejected promise.
   */
  function committedNowOrLater<T>(session: Session<D>, outcome: RequestOutcome | undefined, answer: (handle: SessionHandle<D>) => T): T | Promise<T> {
    try {
      const handle = asHandle(session);
      discardIfFailed(handle, outcome);
      const writing = handle.commitIfChanged();
      if (writing === undefined) return answer(handle);
      const written = writing.then(() => answer(handle));
      return lifecycle === undefined ? written : written.catch((error: unknown) => {
        lifecycle.commitFailed(error);
        throw error;
      });
    } catch (error) {
      lifecycle?.commitFailed(error);
      return Promise.reject(error);
    }
  }

  /** {@link committedNowOrLater}, always as a promise. */
  function committed<T>(session: Session<D>, outcome: RequestOutcome | undefined, answer: (handle: SessionHandle<D>) => T): Promise<T> {
    const result = committedNowOrLater(session, outcome, answer);
    return result instanceof Promise ? result : Promise.resolve(result);
  }

  /** The handle of a response going out before the final commit, with a failed request's changes discarded. */
  function pending(session: Session<D>, outcome: RequestOutcome | undefined): SessionHandle<D> {
    const handle = asHandle(session);
    discardIfFailed(handle, outcome);
    return handle;
  }

  /** The Set-Cookie header value of what the handle decided, if anything: the one place an intent is rendered. */
  function setCookieOf(handle: SessionHandle<D>): string | undefined {
    const intent = handle.delivery.cookieIntent;
    return intent === undefined ? undefined : renderSetCookie(resolved.cookie, intent, handle.requestIsSecure);
  }

  /** Every header the response must carry: the rendered Set-Cookie, then what else the delivery holds (token-delivery.ts). */
  function headersOf(handle: SessionHandle<D>): readonly ResponseHeader[] {
    return handle.delivery.responseHeaders(setCookieOf(handle));
  }

  /** The store as a revoking call sees it: its `revoked` events carry who asked (the handles' view says `"cap"`). */
  function revokingStore(context: RevokeContext) {
    return observedStore(deadlined, observers, context);
  }

  /** Argument and configuration checks happen here, once, before any store call. */
  function listPage(userId: string, options: { currentId?: string | undefined; limit?: number; cursor?: string | undefined }): Promise<UserSessionPage> {
    assertUserId(userId);
    const window = resolveListWindow(options);
    return listUserSessions(requireUserIndex(store), userId, clock.now(), window, options.currentId);
  }

  return {
    options: resolved,
    load: (input) => {
      const session = loadNowOrLater(input);
      return session instanceof Promise ? session : Promise.resolve(session);
    },
    loadNowOrLater,
    commitResponse: (session, outcome) => committed(session, outcome, headersOf),
    commitResponseNowOrLater: (session, outcome) => committedNowOrLater(session, outcome, headersOf),
    pendingResponseHeaders: (session, outcome) => headersOf(pending(session, outcome)),
    commit: (session, outcome) => committed(session, outcome, setCookieOf),
    pendingSetCookie: (session, outcome) => setCookieOf(pending(session, outcome)),
    async listUserSessions(userId, options = {}) {
      return (await listPage(userId, { currentId: options.currentId, limit: options.limit })).sessions;
    },
    listUserSessionPage: async (userId, options = {}) => listPage(userId, options),
    async revokeSession(id, options = {}) {
      const index = requireUserIndex(revokingStore({ cause: options.userId === undefined ? "app" : "other-device" }));
      // `{ userId: req.session.userId }` from a logged-out request must not
      // turn into "revoke anyone's session".
      if ("userId" in options && options.userId === undefined) return false;
      if (options.userId !== undefined) assertUserId(options.userId);
      if (typeof id !== "string" || id.length === 0) return false;
      return revokeSession(index, id, options.userId);
    },
    async revokeUserSessions(userId, options = {}) {
      assertUserId(userId);
      const revoking = revokingStore(options.exceptId === undefined ? { cause: "user" } : { cause: "other-device", byId: options.exceptId });
      return revokeUserSessions(requireUserIndex(revoking), userId, clock.now(), options.exceptId);
    },
  };
}
