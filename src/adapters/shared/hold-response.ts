import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { SessionManager } from "../../core/manager.js";
import { legacySetCookies } from "../../core/migration.js";
import { tokenResponseHeaders } from "../../core/token-response.js";
import type { Session } from "../../core/session.js";
import { isFailedRequest, isServerError } from "./failed-request.js";

type EndArgs = Parameters<ServerResponse["end"]>;
type WriteArgs = Parameters<ServerResponse["write"]>;
type HeaderList = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;

/**
 * Applies what an explicit `writeHead(status, [message], [headers])` asked
 * for without sending it yet: headers stay open until the body starts, so
 * the Set-Cookie decided at commit can still be added.
 */
function recordWriteHead(res: ServerResponse, args: unknown[]): void {
  const [statusCode, second, third] = args as [number, string | HeaderList, HeaderList];
  res.statusCode = statusCode;
  if (typeof second === "string") res.statusMessage = second;
  const headers = typeof second === "string" ? third : second;
  if (headers === undefined) return;
  if (!Array.isArray(headers)) {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
    return;
  }
  // Node accepts [[name, value], ...] and the flat [name, value, name, value].
  const pairs: Array<[string, OutgoingHttpHeader]> = Array.isArray(headers[0])
    ? (headers as unknown as Array<[string, OutgoingHttpHeader]>)
    : Array.from({ length: headers.length / 2 }, (_, i) => [String(headers[2 * i]), headers[2 * i + 1]!]);
  for (const [name, value] of pairs) {
    if (name.toLowerCase() === "set-cookie") res.appendHeader(name, value as string | string[]);
    else res.setHeader(name, value);
  }
}

/**
 * For adapters over a raw `node:http` response (Express, plain node:http):
 * holds `res.end` until the session is committed, so a client that follows
 * a redirect at once already sees the new data, and adds the Set-Cookie the
 * commit decides. An explicit `res.writeHead()` is recorded, not sent, so
 * the cookie can still join the headers; when the body starts first (a
 * stream), the Set-Cookie decided so far goes out with the headers.
 *
 * A request that fails (a 5xx status when the headers go out, or
 * `markFailed()` after an unhandled error) has its session changes
 * discarded, unless the manager's `commitOnError` is on, and carries no new
 * session cookie.
 *
 * On a commit failure before anything was sent, the route's response is
 * discarded (headers removed) and `onError` gets the error so the
 * framework's error path can answer instead, unless the response already is
 * a 5xx error page, which goes out as it is; after headers were sent, the
 * response is cut so the client can tell it failed.
 *
 * @example
 * ```ts
 * const session = await manager.load({ cookieHeader: req.headers.cookie, secure: false });
 * const held = holdResponseUntilCommitted(res, session, manager, (error) => sendErrorPage(res, error));
 * handle(req, res).catch((error) => { held.markFailed(); sendErrorPage(res, error); });
 * ```
 */
export function holdResponseUntilCommitted<D extends object>(
  res: ServerResponse,
  session: Session<D>,
  manager: SessionManager<D>,
  onError: (error: unknown) => void,
): { markFailed(): void } {
  let markedFailed = false;
  const outcome = () => ({ failed: isFailedRequest(markedFailed, res.statusCode) });
  let emittedCookie: string | undefined;
  let committing = false;
  /** True once the headers may really go out: the body started, or the end was committed. */
  let sending = false;
  const originalEnd = res.end;
  const originalWrite = res.write;
  const originalWriteHead = res.writeHead;
  const originalFlushHeaders = res.flushHeaders;

  let legacyCleared = false;
  const emitCookie = (cookie: string | undefined): void => {
    // A migrated session's response also clears the old library's cookie.
    if (!legacyCleared && !res.headersSent) {
      legacyCleared = true;
      for (const clearing of legacySetCookies(session)) res.appendHeader("Set-Cookie", clearing);
      for (const [name, value] of tokenResponseHeaders(session)) res.setHeader(name, value);
    }
    if (cookie === undefined || cookie === emittedCookie || res.headersSent) return;
    res.appendHeader("Set-Cookie", cookie);
    emittedCookie = cookie;
  };
  const startSending = (): void => {
    if (sending) return;
    sending = true;
    emitCookie(manager.pendingSetCookie(session, outcome()));
  };

  res.writeHead = function writeHead(this: ServerResponse, ...args: unknown[]) {
    if (sending || res.headersSent) return (originalWriteHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    recordWriteHead(res, args);
    return res;
  } as ServerResponse["writeHead"];

  res.flushHeaders = function flushHeaders(this: ServerResponse) {
    startSending();
    return originalFlushHeaders.apply(this);
  };

  res.write = function write(this: ServerResponse, ...args: WriteArgs) {
    startSending();
    return originalWrite.apply(this, args);
  } as ServerResponse["write"];

  res.end = function end(this: ServerResponse, ...args: EndArgs) {
    // The error page sent by onError ends through here too: let it out.
    if (committing) return originalEnd.apply(this, args);
    committing = true;
    manager.commit(session, outcome()).then(
      (cookie) => {
        emitCookie(cookie);
        sending = true;
        originalEnd.apply(res, args);
      },
      (error: unknown) => {
        if (res.headersSent) {
          // Too late for an error page: cut the response so the client can
          // tell it failed rather than see a complete, misleading one.
          res.destroy(error instanceof Error ? error : undefined);
          return;
        }
        if (isServerError(res.statusCode)) {
          // Already an error response (typically the app's own error page
          // for this very store failure): replacing it with another error
          // would only swap the app's page for the framework's default.
          sending = true;
          originalEnd.apply(res, args);
          return;
        }
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        res.statusCode = 200; // the error page sets its own status
        sending = true;
        onError(error);
      },
    );
    return res;
  } as ServerResponse["end"];

  return { markFailed: () => void (markedFailed = true) };
}
