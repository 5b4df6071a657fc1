import type { SessionManager } from "../core/manager.js";
import type { Session } from "../core/session.js";
import { isFailedRequest, isUnhandledError } from "./shared/failed-request.js";
import { appendHeaders, plainErrorResponse } from "./shared/fetch-response.js";
import { storeOutageChooser, type StoreOutageOption } from "./shared/store-outage.js";
import { trustedForwardedHttps, type TrustProxyOption } from "./shared/trust-proxy.js";

/** Options of {@link fetchSessions} and {@link withSession}: `storeOutage` (a policy or a function of the `Request`), `trustProxy` and `onError`. */
export interface FetchSessionOptions extends StoreOutageOption<Request>, TrustProxyOption {
  /**
   * Answers a request whose session could not be loaded or committed (a
   * `SessionStoreError`, 503) or whose handler threw. Default: plain text
   * with the error's 4xx/5xx `status`, otherwise 500.
   */
  onError?: (error: unknown, request: Request) => Response | Promise<Response>;
}

/** What the runtime knows of the connection that the `Request` does not say: the peer's address (Deno's `info.remoteAddr.hostname`), for an address-based `trustProxy`. */
export interface FetchPeer { readonly peerAddress?: string | undefined }

/** A fetch handler that also receives the request's session; the extra arguments are the runtime's own (Deno's `info`...). */
export type FetchSessionHandler<D extends object, A extends unknown[] = []> = (request: Request, session: Session<D>, ...args: A) => Response | Promise<Response>;

/** Sessions on the standard `Request`/`Response`/`Headers`, returned by {@link fetchSessions}. */
export interface FetchSessions<D extends object> {
  /**
   * The request's session, from its `Cookie` header (or header transport);
   * secure from the URL's scheme or a trusted proxy's `X-Forwarded-Proto`.
   * @throws SessionStoreError (status 503) when the store is down or slow, unless `storeOutage` lets the request go on anonymously.
   */
  load(request: Request, peer?: FetchPeer): Promise<Session<D>>;
  /**
   * Commits the session and returns the response with its headers appended
   * (a copy when its own are immutable: `Response.redirect()`, `fetch()`'s).
   * A 5xx response, or `{ failed: true }`, discards the request's changes.
   * @throws SessionStoreError when the commit cannot reach the store: answer an error page, not `response`.
   */
  commit(session: Session<D>, response: Response, outcome?: { failed: boolean }): Promise<Response>;
  /** Commits the session and appends its headers to `headers`, for frameworks that hand out a mutable `Headers`. */
  commitHeaders(session: Session<D>, headers: Headers, outcome?: { failed: boolean }): Promise<void>;
  /** Wraps a handler: load, the handler, commit, and every error to `onError` (see {@link withSession}). */
  handler<A extends unknown[] = []>(fn: FetchSessionHandler<D, A>, peerOf?: (request: Request, ...args: A) => string | undefined): (request: Request, ...args: A) => Promise<Response>;
}

/**
 * Tessera on the web's standard `Request`, `Response` and `Headers`: for
 * plain fetch servers (`Deno.serve`, `Bun.serve`, `@hono/node-server`...)
 * and the base of the full-stack framework adapters. The session's type
 * comes from the manager. A stream's body runs after the commit: change
 * the session before returning the streamed response.
 *
 * @example
 * ```ts
 * import { fetchSessions } from "tessera-session/fetch";
 * const tessera = fetchSessions(sessions, { trustProxy: 1 });
 * export async function handle(request: Request): Promise<Response> {
 *   const session = await tessera.load(request);
 *   session.data.visits = (session.data.visits ?? 0) + 1;
 *   return tessera.commit(session, new Response(`visit ${session.data.visits}`));
 * }
 * ```
 */
export function fetchSessions<D extends object>(manager: SessionManager<D>, options: FetchSessionOptions = {}): FetchSessions<D> {
  const viaHttpsProxy = trustedForwardedHttps(options.trustProxy, "fetchSessions trustProxy");
  const isHttps = ({ url, headers }: Request, peer: FetchPeer | undefined): boolean =>
    url.startsWith("https:") ||
    viaHttpsProxy?.({ peerAddress: peer?.peerAddress, forwardedFor: headers.get("x-forwarded-for"), forwardedProto: headers.get("x-forwarded-proto") }) === true;
  const storeOutageOf = storeOutageChooser<Request>(options.storeOutage, "fetchSessions storeOutage");
  const onError = options.onError ?? plainErrorResponse;
  const committedHeaders = (session: Session<D>, failed: boolean) => manager.commitResponse(session, { failed });

  const sessions: FetchSessions<D> = {
    load: async (request, peer) =>
      manager.load({ cookieHeader: request.headers.get("cookie") ?? undefined, headers: (name) => request.headers.get(name), secure: isHttps(request, peer), storeOutage: storeOutageOf(request) }),
    commit: async (session, response, outcome) => appendHeaders(response, await committedHeaders(session, isFailedRequest(outcome?.failed ?? false, response.status))),
    commitHeaders: async (session, headers, outcome) => {
      for (const [name, value] of await committedHeaders(session, outcome?.failed ?? false)) headers.append(name, value);
    },
    handler: (fn, peerOf) => async (request, ...args) => {
      const session = await sessions.load(request, { peerAddress: peerOf?.(request, ...args) }).catch(async (error: unknown) => onError(error, request));
      if (session instanceof Response) return session;
      let response: Response;
      try {
        response = await fn(request, session, ...args);
      } catch (error) {
        // The error page, with what a failed (or a 4xx) request's session may carry.
        const headers = await committedHeaders(session, isUnhandledError(error)).catch(() => []);
        return appendHeaders(await onError(error, request), headers);
      }
      // A failed commit answers a fresh error page: none of the route's headers (Location, its own Set-Cookie) claim a success.
      return sessions.commit(session, response).catch(async (error: unknown) => onError(error, request));
    },
  };
  return sessions;
}

/**
 * A fetch handler with its session. Store failures and thrown errors go to
 * `onError` (default: plain text with the error's status); a thrown error
 * without a 4xx `status`, or a 5xx response, discards the session's changes.
 *
 * @example
 * ```ts
 * import { withSession } from "tessera-session/fetch";
 * const handler = withSession(sessions, async (request, session) => {
 *   if (new URL(request.url).pathname === "/login") { await session.regenerate(); session.data.username = "ada"; }
 *   return new Response(`Hello ${session.data.username ?? "stranger"}`);
 * });
 * ```
 */
export function withSession<D extends object>(manager: SessionManager<D>, fn: FetchSessionHandler<D>, options?: FetchSessionOptions): (request: Request) => Promise<Response> {
  return fetchSessions(manager, options).handler(fn);
}

export type { TrustProxy } from "./shared/trust-proxy.js";
export { fetchCsrf } from "./csrf/fetch.js";
