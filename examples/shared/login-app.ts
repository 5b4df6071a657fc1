/**
 * What every framework's login example shares besides its pages: its
 * options and the session logic of each route, so the apps differ only in
 * how their framework routes, parses and responds.
 */
import { csrfToken, type Session, type SessionData, type SessionManager } from "tessera-session";
import type { DemoMetrics } from "./metrics.js";
import { formExpiredPage, indexPage, loginPage, type PageContext } from "./pages.js";
import "./session-data.js";

/** What a login app needs from its host. */
export interface LoginAppOptions {
  /** The session manager (Redis or memory store). */
  sessions: SessionManager<SessionData>;
  /** Name shown as "Served by" on every page. */
  instance: string;
  /** The framework's name, shown beside the instance (a mixed fleet runs several). */
  framework?: string;
  /** Optional warning on every page. */
  banner?: string;
  /** Trust X-Forwarded-Proto (and the framework's other proxy headers) from a load balancer. */
  trustProxy?: boolean;
  /** The instance's metrics, served on `GET /metrics` (examples/shared/metrics.ts); without it, no such route. */
  metrics?: DemoMetrics;
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
    framework: options.framework,
    username: session?.data.username,
    visits: session?.data.visits ?? 0,
    banner: options.banner,
    // Only a logged-in page shows the logout form: an anonymous page view
    // must not create a CSRF secret (and a stored session) for nothing.
    csrfToken: session?.data.username ? csrfToken(session) : undefined,
  };
}

/** Counts a page view in the session (so every visit writes). */
export function countVisit(session: Session<SessionData>): void {
  session.data.visits = (session.data.visits ?? 0) + 1;
}

/**
 * The login page with this session's CSRF token. Asking for the token
 * stores an anonymous visitor's session, so the token is there when the
 * form comes back, on whichever instance.
 *
 * @example
 * ```ts
 * return c.html(loginForm(options, c.get("session"), parsed.error), 400);
 * ```
 */
export function loginForm(options: LoginAppOptions, session: Session<SessionData>, error?: string): string {
  return loginPage(pageContext(options, session), csrfToken(session), error);
}

/** The 403 page for a form that failed the CSRF check (`CsrfError`): nothing was changed. */
export function formExpired(options: LoginAppOptions, session: Session<SessionData> | undefined): string {
  return formExpiredPage(pageContext(options, session));
}

/** How long a "Keep me signed in" session lives: 30 days of inactivity, at most 90 days, in a persistent cookie. */
export const REMEMBER_ME = { idleTimeoutSeconds: 30 * 24 * 3600, absoluteTimeoutSeconds: 90 * 24 * 3600, persistent: true } as const;

/**
 * The manager options that let a session be remembered ({@link REMEMBER_ME}):
 * the maximums `session.setExpiry` is held to. Spread into the demo's
 * managers next to their (shorter) default timeouts.
 */
export const REMEMBER_ME_LIMITS = {
  maxIdleTimeoutSeconds: REMEMBER_ME.idleTimeoutSeconds,
  maxAbsoluteTimeoutSeconds: REMEMBER_ME.absoluteTimeoutSeconds,
} as const;

/**
 * The login form's "Keep me signed in" checkbox (field `remember`): when
 * ticked, this session gets {@link REMEMBER_ME}'s expiry; otherwise the
 * manager's defaults hold (the cookie lasts the idle timeout).
 */
export function rememberIfAsked(session: Session<SessionData>, remember: unknown): void {
  if (remember === "on" || remember === "1" || remember === "true" || remember === true) session.setExpiry(REMEMBER_ME);
}

/**
 * Login: a new token (defeating session fixation) carrying the data, then
 * the name. `regenerate()` also replaces the CSRF secret, so the login
 * form's token (seen while anonymous) is useless afterwards. `remember`:
 * the form's "Keep me signed in" field ({@link rememberIfAsked}).
 */
export async function logIn(session: Session<SessionData>, username: string, remember?: unknown): Promise<void> {
  await session.regenerate();
  rememberIfAsked(session, remember);
  session.data.username = username;
  flashWelcome(session, username);
}

/** The flash key of the login's one-time greeting. */
export const WELCOME_FLASH = "welcome";

/**
 * Stages the login's one-time greeting ("Welcome back, ada"): a flash,
 * stored with the login's commit, shown by the page after the redirect
 * ({@link takeWelcome}) and never again. A failed login stores none.
 */
export function flashWelcome(session: Session<SessionData>, username: string): void {
  session.flash(WELCOME_FLASH, `Welcome back, ${username}`);
}

/**
 * The greeting, if this request is the first to ask for it (on any
 * instance). Costs no Redis command when there is none (every page view
 * but the first after a login).
 */
export async function takeWelcome(session: Session<SessionData>): Promise<string | undefined> {
  const welcome = await session.takeFlash(WELCOME_FLASH);
  return typeof welcome === "string" ? welcome : undefined;
}

/**
 * `/`: the home page, with the login's greeting the first time it is shown.
 *
 * @example
 * ```ts
 * return c.html(await homePage(options, c.get("session")));
 * ```
 */
export async function homePage(options: LoginAppOptions, session: Session<SessionData>): Promise<string> {
  return indexPage({ ...pageContext(options, session), flash: await takeWelcome(session) });
}
