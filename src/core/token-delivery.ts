import { CLEAR_COOKIE, failedResponseCookie, type CookieIntent } from "./cookie.js";
import { encodeCookieValue } from "./token.js";
import { SESSION_EXPIRES_HEADER, SESSION_TOKEN_HEADER } from "./transport.js";

/**
 * A response header as a name (lower case) and one value; a response may
 * carry several `set-cookie` entries, each to be appended.
 */
export type ResponseHeader = readonly [name: string, value: string];

/** The headers of a response that carries nothing for the session (most of them). */
export const NO_HEADERS: readonly ResponseHeader[] = Object.freeze([]);

/** What a header client must be told: its token and expiry, whether the token is new to it, whether the app took it. */
export interface HeaderIntent {
  readonly value: string;
  readonly expiresAt: number;
  /** The value is not the one the request sent. */
  readonly issued: boolean;
  /** The app already took it with `session.takeIssuedToken()`. */
  readonly taken: boolean;
}

/** How a header client's request sent its token: the value, and whether it came without the session cookie (CSRF-exempt). */
interface HeaderClient {
  readonly sentValue: string | undefined;
  readonly headerOnly: boolean;
  takenValue: string | undefined;
}

/**
 * What the response must tell the client about its token, and nothing
 * else: the session cookie to set or clear (as an intent cookie.ts
 * renders), or for a header client the token and expiry headers, plus the
 * clearing cookies of a session library migrated on this request. The
 * handle owns one (`handle.delivery`) and reports what happened (a token
 * issued, the session ended, the request failed), the manager and
 * migration.ts what the request brought; {@link responseHeaders} is the
 * one place that turns it all into the headers every adapter emits.
 */
export class TokenDelivery {
  /** What the response must tell the client about its cookie, as decided so far. */
  #cookie: CookieIntent | undefined;
  /** The client holds a cookie naming no live session: cleared unless replaced. */
  #clientCookieDead = false;
  /** The token the request's cookie carried, when it named a stored session. */
  #requestToken: string | undefined;
  /** That cookie's value, when it is signed with the current secret (reused instead of signing again). */
  #requestCookieValue: string | undefined;
  /** Set when the client is a header client: its token travels in a header and the app hands new ones over. */
  #header: HeaderClient | undefined;
  /** Set-Cookie values clearing another library's cookies after a migration (see migration.ts). */
  #legacyClearing: readonly string[] | undefined;
  /** The request failed: the response carries at most a renewal of the request's own token or a clearing cookie (cookie.ts). */
  #failed = false;

  /** The request's cookie named this stored session's token; `cookieValue` is reused when it is signed with the current secret. */
  loaded(token: string, cookieValue: string | undefined): void {
    this.#requestToken = token;
    this.#requestCookieValue = cookieValue;
  }

  /** The client holds a cookie naming no live session (invalid, unknown, expired, ended): cleared unless replaced. */
  markCookieDead(): void {
    this.#clientCookieDead = true;
    this.#cookie = CLEAR_COOKIE;
  }

  /** The handle forgot its stored session: nothing to set, only a dead cookie to clear. */
  forget(): void {
    this.#cookie = this.#clientCookieDead ? CLEAR_COOKIE : undefined;
  }

  /**
   * The client must hold `token` until `expiresAt`: a new token, a moved
   * expiry or a re-signing. The cookie value is the request's own when it is
   * already signed with the current secret, else signed with `secret`.
   * `persistent`: the session's own choice (`setExpiry`), when it made one.
   */
  issue(token: string, expiresAt: number, now: number, secret: string | undefined, persistent?: boolean): void {
    const cookie = this.#cookie;
    let value: string;
    if (token === this.#requestToken && this.#requestCookieValue !== undefined) value = this.#requestCookieValue;
    else if (cookie?.kind === "set" && cookie.token === token) value = cookie.value;
    else value = encodeCookieValue(token, secret);
    this.#cookie = { kind: "set", token, value, expiresAt, issuedAt: now, persistent };
  }

  /** The request's token was retired by a regenerate meanwhile: the response leaves the cookie alone (the browser holds, or is getting, the new one). */
  leaveCookieAlone(): void {
    this.#cookie = undefined;
  }

  /**
   * The client is a header client: it sent `sentValue` in a header (or the
   * app passed it as a raw token), or it sent nothing and the manager has
   * no cookie transport. Its responses never carry a cookie. `readFromHeader`
   * and `carriesCookie` decide {@link csrfExempt}.
   */
  deliverInHeader(sentValue: string | undefined, readFromHeader = false, carriesCookie = false): void {
    this.#header = { sentValue, headerOnly: readFromHeader && !carriesCookie, takenValue: undefined };
  }

  /** The app made the client a header client (`session.useHeaderToken()`), keeping what the request sent. */
  useHeader(): void {
    this.#header ??= { sentValue: undefined, headerOnly: false, takenValue: undefined };
  }

  /**
   * No CSRF check applies (csrf.ts): the request was read through a header
   * transport, which a cross-site page cannot make a browser send (a custom
   * header or `Authorization` needs a CORS preflight the app grants), and
   * it carries no session cookie, which a browser would send on its own.
   * Its response never sets a cookie, so it cannot log a browser in either.
   */
  get csrfExempt(): boolean {
    return this.#header?.headerOnly ?? false;
  }

  /** The response must also clear these cookies: another library's, after a migration (migration.ts). */
  alsoClear(setCookies: readonly string[]): void {
    this.#legacyClearing = setCookies;
  }

  /** The request failed (the handle discarded its changes): from now on, only what a failed response may carry. */
  requestFailed(): void {
    this.#failed = true;
  }

  /** What a cookie client's response must tell it about its cookie (cookie.ts's `renderSetCookie` renders it), if anything. */
  get cookieIntent(): CookieIntent | undefined {
    return this.#header === undefined ? this.#decided() : undefined;
  }

  /**
   * What a header client must be told: the token and its expiry when the
   * expiry moved or a token was issued; undefined for a cookie client, and
   * for a dead header token (there is nothing to clear).
   */
  get headerIntent(): HeaderIntent | undefined {
    const header = this.#header;
    if (header === undefined) return undefined;
    const intent = this.#decided();
    if (intent?.kind !== "set") return undefined;
    return { value: intent.value, expiresAt: intent.expiresAt, issued: intent.value !== header.sentValue, taken: intent.value === header.takenValue };
  }

  /** The token issued to a header client that the app has not taken yet, marked taken; else undefined. */
  takeIssued(): string | undefined {
    const intent = this.headerIntent;
    if (intent === undefined || !intent.issued || intent.taken) return undefined;
    this.#header!.takenValue = intent.value;
    return intent.value;
  }

  /**
   * Every header the response must carry, in order: the session's
   * Set-Cookie (`setCookie`, rendered by the manager from
   * {@link cookieIntent}), a migrated library's clearing cookies, and a
   * header client's `Tessera-Session-Token` (with `Cache-Control: no-store`,
   * as for any response carrying a credential) when a token was issued the
   * app did not take, and `Tessera-Session-Expires` (an HTTP-date) when the
   * expiry moved, since such a client has no cookie whose Max-Age would tell it.
   */
  responseHeaders(setCookie: string | undefined): readonly ResponseHeader[] {
    const legacy = this.#legacyClearing;
    const intent = this.#header === undefined ? undefined : this.headerIntent;
    if (legacy === undefined && intent === undefined) return setCookie === undefined ? NO_HEADERS : [["set-cookie", setCookie]];
    const headers: ResponseHeader[] = setCookie === undefined ? [] : [["set-cookie", setCookie]];
    for (const clearing of legacy ?? NO_CLEARING) headers.push(["set-cookie", clearing]);
    if (intent === undefined) return headers;
    if (intent.issued && !intent.taken) headers.push([SESSION_TOKEN_HEADER, intent.value], ["cache-control", "no-store"]);
    headers.push([SESSION_EXPIRES_HEADER, new Date(intent.expiresAt).toUTCString()]);
    return headers;
  }

  /** The cookie intent decided so far, with a failed request's limits applied. */
  #decided(): CookieIntent | undefined {
    return this.#failed ? failedResponseCookie(this.#cookie, this.#requestToken, this.#clientCookieDead) : this.#cookie;
  }
}

const NO_CLEARING: readonly string[] = [];
