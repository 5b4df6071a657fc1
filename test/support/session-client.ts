import type { Session, SessionManager } from "tessera-session";

/**
 * One browser, without a browser: keeps the session cookie between
 * "requests" made straight against a manager (load, handler, commit), the
 * way an adapter drives it.
 */
export interface SessionClient {
  /** The cookie value the browser holds, if any. */
  readonly cookie: string | undefined;
  /** One request: loads the session, runs the handler, commits, keeps the Set-Cookie. */
  request<D extends object>(manager: SessionManager<D>, handler?: (session: Session<D>) => unknown): Promise<Session<D>>;
}

export function sessionClient(cookieName = "tessera"): SessionClient {
  let cookie: string | undefined;
  return {
    get cookie() {
      return cookie;
    },
    async request(manager, handler) {
      const session = await manager.load({ cookieHeader: cookie === undefined ? undefined : `${cookieName}=${cookie}`, secure: false });
      await handler?.(session);
      const setCookie = await manager.commit(session);
      if (setCookie !== undefined) {
        const first = setCookie.split(";")[0] ?? "";
        const value = first.slice(first.indexOf("=") + 1);
        // Only an empty value means "cleared": with the sub-second TTLs of
        // real-time tests, a live cookie's Max-Age can round down to 0.
        cookie = value === "" ? undefined : value;
      }
      return session;
    },
  };
}
