import type { ServerResponse } from "node:http";
import type { SessionManager } from "../../core/manager.js";
import type { Session } from "../../core/session.js";

type EndArgs = Parameters<ServerResponse["end"]>;

/**
 * For adapters over a raw `node:http` response (Express, plain node:http):
 * wraps `res.writeHead`, to attach the Set-Cookie decided so far when headers
 * go out early (streaming), and `res.end`, to commit the session first. The
 * end of the response is held until the commit settles, so a client that
 * follows a redirect at once already sees the new data.
 *
 * On a commit failure before anything was sent, the route's response is
 * discarded (headers removed) and `onError` gets the error so the
 * framework's error path can answer instead; after headers were sent, the
 * response is cut so the client can tell it failed.
 *
 * @example
 * ```ts
 * const session = await manager.load({ cookieHeader: req.headers.cookie, secure: false });
 * holdResponseUntilCommitted(res, session, manager, (error) => sendErrorPage(res, error));
 * ```
 */
export function holdResponseUntilCommitted<D extends object>(
  res: ServerResponse,
  session: Session<D>,
  manager: SessionManager<D>,
  onError: (error: unknown) => void,
): void {
  let emittedCookie: string | undefined;
  let committing = false;
  const originalEnd = res.end;
  const originalWriteHead = res.writeHead;

  const emitCookie = (cookie: string | undefined): void => {
    if (cookie === undefined || cookie === emittedCookie || res.headersSent) return;
    res.appendHeader("Set-Cookie", cookie);
    emittedCookie = cookie;
  };

  res.writeHead = function writeHead(this: ServerResponse, ...args: unknown[]) {
    emitCookie(manager.pendingSetCookie(session));
    return (originalWriteHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse["writeHead"];

  res.end = function end(this: ServerResponse, ...args: EndArgs) {
    // The error page sent by onError ends through here too: let it out.
    if (committing) return originalEnd.apply(this, args);
    committing = true;
    manager.commit(session).then(
      (cookie) => {
        emitCookie(cookie);
        originalEnd.apply(res, args);
      },
      (error: unknown) => {
        if (res.headersSent) {
          // Too late for an error page: cut the response so the client can
          // tell it failed rather than see a complete, misleading one.
          res.destroy(error instanceof Error ? error : undefined);
          return;
        }
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        onError(error);
      },
    );
    return res;
  } as ServerResponse["end"];
}
