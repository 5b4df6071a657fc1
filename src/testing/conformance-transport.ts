import assert from "node:assert/strict";
import type { TokenTransport } from "../core/transport.js";
import { SESSION_TOKEN_HEADER } from "../core/transport.js";
import { sessionSetCookie, type ClientResponse } from "./conformance-client.js";

/** The session cookie's name in the conformance suite. */
export const CONFORMANCE_COOKIE = "tessera";

/**
 * How the adapter conformance suite's client holds its credential, for one
 * transport: a cookie client sends `tessera=<value>` and reads Set-Cookie;
 * a header client sends the token in its header and reads the token the
 * response hands it (`Tessera-Session-Token`), and must never be sent a
 * session cookie. The suite's tests are written once against this view.
 */
export interface ConformanceTransportView {
  /** `"cookie"`, `"bearer"` or the header's name, for test names. */
  readonly label: string;
  readonly isCookie: boolean;
  /** Request headers carrying `credential` (none when undefined), merged over `headers`. */
  requestHeaders(credential: string | undefined, headers?: Record<string, string>): Record<string, string>;
  /** The credential a response issues (a session cookie set, a token handed over), or undefined. */
  issued(response: ClientResponse): string | undefined;
  /** The credential a response issues; fails the test when there is none. */
  expectIssued(response: ClientResponse): string;
  /** A response that ends the client's session: a cookie client's cookie is cleared; a header client is handed nothing. */
  assertEnded(response: ClientResponse, message: string): void;
  /** A response that must not log the client out (an outage). */
  assertKept(response: ClientResponse, message: string): void;
  /** A failed response hands out no new credential: at most a renewal of `sent`. */
  assertNothingNew(response: ClientResponse, sent?: string): void;
  /** The token value inside a credential, for tampering. */
  tokenOf(credential: string): string;
  /** A credential for an arbitrary token value (forged, tampered, oversized). */
  credentialFor(value: string): string;
}

/**
 * The view of a transport (default: the cookie).
 *
 * @example
 * ```ts
 * const via = conformanceTransport("bearer");
 * via.requestHeaders(token); // { authorization: "Bearer <token>" }
 * ```
 */
export function conformanceTransport(transport: TokenTransport = "cookie"): ConformanceTransportView {
  if (transport === "cookie") return cookieView;
  const name = transport === "bearer" ? "authorization" : transport.header.toLowerCase();
  const scheme = name === "authorization" ? "Bearer " : "";
  /** Every response to a header client: the session cookie is never set. */
  const noCookie = (response: ClientResponse): void =>
    assert.equal(sessionSetCookie(response, CONFORMANCE_COOKIE), undefined, `a header client got a session cookie: ${JSON.stringify(response.setCookies)}`);
  const issued = (response: ClientResponse): string | undefined => {
    noCookie(response);
    return response.headers.get(SESSION_TOKEN_HEADER) ?? undefined;
  };
  return {
    label: transport === "bearer" ? "bearer" : name,
    isCookie: false,
    requestHeaders: (credential, headers = {}) => (credential === undefined ? headers : { ...headers, [name]: `${scheme}${credential}` }),
    issued,
    expectIssued(response) {
      const token = issued(response);
      assert.ok(token, `expected a token in ${SESSION_TOKEN_HEADER}, got status ${response.status}`);
      return token;
    },
    assertEnded(response, message) {
      assert.equal(issued(response), undefined, message);
    },
    assertKept: noCookie,
    assertNothingNew(response, sent) {
      const token = issued(response);
      assert.ok(token === undefined || token === sent, `a failed response must not hand out a new token, got ${token}`);
    },
    tokenOf: (credential) => credential,
    credentialFor: (value) => value,
  };
}

const cookieView: ConformanceTransportView = {
  label: "cookie",
  isCookie: true,
  requestHeaders: (credential, headers = {}) => (credential === undefined ? headers : { ...headers, cookie: credential }),
  issued(response) {
    const parsed = sessionSetCookie(response, CONFORMANCE_COOKIE);
    return parsed && !parsed.clears ? `${CONFORMANCE_COOKIE}=${parsed.value}` : undefined;
  },
  expectIssued(response) {
    const parsed = sessionSetCookie(response, CONFORMANCE_COOKIE);
    assert.ok(parsed && !parsed.clears, `expected a session cookie, got ${JSON.stringify(response.setCookies)}`);
    return `${CONFORMANCE_COOKIE}=${parsed.value}`;
  },
  assertEnded(response, message) {
    assert.ok(sessionSetCookie(response, CONFORMANCE_COOKIE)?.clears, message);
  },
  assertKept(response, message) {
    assert.ok(!sessionSetCookie(response, CONFORMANCE_COOKIE)?.clears, message);
  },
  assertNothingNew(response, sent) {
    const parsed = sessionSetCookie(response, CONFORMANCE_COOKIE);
    if (parsed === undefined) return;
    const renewal = sent !== undefined && !parsed.clears && `${CONFORMANCE_COOKIE}=${parsed.value}` === sent;
    assert.ok(renewal, `a failed response must not set a new session cookie, got ${JSON.stringify(response.setCookies)}`);
  },
  tokenOf: (credential) => credential.slice(CONFORMANCE_COOKIE.length + 1),
  credentialFor: (value) => `${CONFORMANCE_COOKIE}=${value}`,
};
