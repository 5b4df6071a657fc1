/**
 * What every framework's login example shares besides its pages: its
 * options and the session logic of each route, so the apps differ only in
 * how their framework routes, parses and responds.
 */
import type { Session, SessionData, SessionManager } from "tessera";
import type { PageContext } from "./pages.js";
import "./session-data.js";

/** What a login app needs from its host. */
export interface LoginAppOptions {
  /** The session manager (Redis or memory store). */
  sessions: SessionManager<SessionData>;
  /** Name shown as "Served by" on every page. */
  instance: string;
  /** Optional warning on every page. */
  banner?: string;
  /** Trust X-Forwarded-Proto (and the framework's other proxy headers) from a load balancer. */
  trustProxy?: boolean;
}

/**
 * The page context for a request; `session` is undefined on the error page
 * of a request whose session could not be loaded.
 *
 * @example
 * ```ts
 * indexPage(pageContext(options, request.session));
 * ```
 */
export function pageContext(options: LoginAppOptions, session: Session<SessionData> | undefined): PageContext {
  return {
    instance: options.instance,
    username: session?.data.username,
    visits: session?.data.visits ?? 0,
    banner: options.banner,
  };
}

/** Counts a page view in the session (so every visit writes). */
export function countVisit(session: Session<SessionData>): void {
  session.data.visits = (session.data.visits ?? 0) + 1;
}

/** Login: a new token (defeating session fixation) carrying the data, then the name. */
export async function logIn(session: Session<SessionData>, username: string): Promise<void> {
  await session.regenerate();
  session.data.username = username;
}
