/**
 * The login examples' JSON API for header-token clients (a CLI, a mobile
 * app), shared by every framework: `POST /api/login` answers
 * `{ "token": "..." }` and sets no cookie, `GET /api/me` reads
 * `Authorization: Bearer <token>`, `POST /api/logout` ends the session.
 * Each app only routes, parses the body and sends the answer.
 */
import type { Session, SessionData, SessionManager, TokenTransport } from "tessera-session";
import { parseUsername } from "./pages.js";
import "./session-data.js";

/** Where the demo's tokens travel: browsers on the cookie, API clients in `Authorization: Bearer`. */
export const DEMO_TRANSPORTS: readonly TokenTransport[] = ["cookie", "bearer"];

/** The response header naming the instance that answered, on every API response. */
export const SERVED_BY_HEADER = "X-Served-By";

/** An API answer for the app to send its framework's way: a status, JSON (none for 204) and headers. */
export interface ApiAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

const answer = (instance: string, status: number, body?: unknown, headers: Record<string, string> = {}): ApiAnswer => ({
  status,
  body,
  headers: { [SERVED_BY_HEADER]: instance, ...headers },
});

/** The `username` of a parsed form or JSON body, if the body is an object that has one. */
export function usernameOf(body: unknown): unknown {
  if (body === null || typeof body !== "object" || !Object.prototype.hasOwnProperty.call(body, "username")) return undefined;
  return (body as { username?: unknown }).username;
}

/**
 * Whether a Cookie header carries the session cookie: an API login refuses
 * such a request, so it can skip the CSRF check safely (see {@link apiLogin}).
 */
export function carriesSessionCookie(sessions: SessionManager<SessionData>, cookieHeader: string | undefined): boolean {
  const name = sessions.options.cookie.name;
  return (cookieHeader ?? "").split(";").some((pair) => pair.trim().startsWith(`${name}=`));
}

/**
 * `POST /api/login`: a new session for a header client, bound to the user,
 * its token in the JSON answer, no cookie.
 *
 * No CSRF check is needed, which is why the apps mount none on this route:
 * login CSRF makes a victim's browser hold the attacker's session, and this
 * response sets no cookie (the token is in a body another site's page
 * cannot read). A request carrying the browser's session cookie is refused
 * before anything changes, so a forged cross-site POST cannot rotate or
 * end the browser's session either.
 */
export async function apiLogin(
  options: { sessions: SessionManager<SessionData>; instance: string },
  session: Session<SessionData>,
  body: unknown,
  cookieHeader: string | undefined,
  userAgent?: string,
): Promise<ApiAnswer> {
  if (carriesSessionCookie(options.sessions, cookieHeader)) {
    return answer(options.instance, 400, { error: "This request carries the browser's session cookie; API logins are for clients without one." });
  }
  const parsed = parseUsername(usernameOf(body));
  if (!parsed.ok) return answer(options.instance, 400, { error: parsed.error });
  session.useHeaderToken();
  await session.regenerate();
  await session.bindUser(parsed.username, { label: "API client", userAgent });
  session.data.username = parsed.username;
  await session.commit(); // the token exists once committed
  const token = session.takeIssuedToken();
  if (token === undefined) return answer(options.instance, 500, { error: "No token was issued." });
  return answer(options.instance, 200, { token }, { "Cache-Control": "no-store" });
}

/** `GET /api/me`: the user of a valid token (or cookie), else 401 with a JSON error. */
export function apiMe(options: { instance: string }, session: Session<SessionData>): ApiAnswer {
  const username = session.data.username;
  if (username === undefined) {
    return answer(options.instance, 401, { error: "Send Authorization: Bearer <token> from POST /api/login." }, { "WWW-Authenticate": 'Bearer realm="tessera-demo"' });
  }
  return answer(options.instance, 200, { username });
}

/** `POST /api/logout`: ends the token's session everywhere (204), whether or not it was still alive. */
export async function apiLogout(options: { instance: string }, session: Session<SessionData>): Promise<ApiAnswer> {
  if (!session.isNew) await session.destroy();
  return answer(options.instance, 204);
}
