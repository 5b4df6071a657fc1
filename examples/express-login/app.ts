import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import { CsrfError, csrfToken, SessionStoreError, type SessionManager, type SessionData } from "tessera-session";
import { expressCsrf, expressSession } from "tessera-session/express";
import { apiLogin, apiLogout, apiMe, type ApiAnswer } from "../shared/api.js";
import { describeDevice } from "../shared/device.js";
import { flashWelcome, rememberIfAsked, takeWelcome } from "../shared/login-app.js";
import type { DemoMetrics } from "../shared/metrics.js";
import {
  CSRF_FIELD,
  formExpiredPage,
  indexPage,
  loginPage,
  parseUsername,
  sessionsPage,
  unavailablePage,
  type PageContext,
} from "../shared/pages.js";
import "../shared/session-data.js";

/** What the login app needs from its host. */
export interface LoginAppOptions {
  /** The session manager (Redis or memory store). */
  sessions: SessionManager<SessionData>;
  /** Name shown as "Served by" on every page. */
  instance: string;
  /** Optional warning on every page. */
  banner?: string;
  /** Express "trust proxy" setting, for running behind a load balancer. */
  trustProxy?: boolean | number | string;
  /** The host serves the `/live` WebSocket (see live.ts): signed-in pages show the live element. */
  live?: boolean;
  /** The instance's metrics, served on `GET /metrics` (examples/shared/metrics.ts). */
  metrics?: DemoMetrics;
}

/**
 * The Flask login example, rebuilt on Express and Tessera: `/` greets the
 * logged-in user, `/login` shows and accepts the form, `POST /logout` ends the
 * session, `/sessions` lists the user's sessions on every device and
 * revokes them. Every page counts visits in the session and names the
 * instance that served it.
 *
 * @example
 * ```ts
 * const sessions = createSessionManager<SessionData>({ store: redisStore({ client, prefix: "myapp:" }) });
 * createLoginApp({ sessions, instance: "app-1", trustProxy: "loopback" }).listen(3000);
 * ```
 */
export function createLoginApp(options: LoginAppOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");
  if (options.trustProxy !== undefined) app.set("trust proxy", options.trustProxy);
  app.use(express.urlencoded({ extended: false, limit: "4kb" }));
  app.use(express.json({ limit: "4kb" })); // the API login takes JSON too
  app.use(expressSession(options.sessions));
  // Tessera's CSRF check, on each state-changing route: this session's token
  // (from the form, parsed above) and no other site's Origin / Sec-Fetch-Site.
  // Mounted per route, after requireLogin, so an anonymous POST to a
  // logged-in page is sent to the login page like its GET.
  const csrfProtection = expressCsrf();

  const context = (req: express.Request): PageContext => ({
    instance: options.instance,
    framework: "Express",
    username: req.session?.data.username,
    visits: req.session?.data.visits ?? 0,
    banner: options.banner,
    sessionsPage: true,
    live: options.live,
    // Only a logged-in page shows the logout form: an anonymous page view
    // must not create a CSRF secret (and a stored session) for nothing.
    csrfToken: req.session?.data.username ? csrfToken(req.session) : undefined,
  });
  const countVisit = (req: express.Request): void => {
    req.session.data.visits = (req.session.data.visits ?? 0) + 1;
  };

  app.get("/", async (req, res) => {
    countVisit(req);
    // The login's one-time greeting (a flash): shown on this one page view, then gone.
    res.type("html").send(indexPage({ ...context(req), flash: await takeWelcome(req.session) }));
  });

  app.get("/login", (req, res) => {
    if (req.session.data.username) return res.redirect(303, "/");
    res.type("html").send(loginPage(context(req), csrfToken(req.session)));
  });

  app.post("/login", csrfProtection, async (req, res) => {
    const parsed = parseUsername((req.body as Record<string, unknown> | undefined)?.username);
    if (!parsed.ok) return res.status(400).type("html").send(loginPage(context(req), csrfToken(req.session), parsed.error));
    // A new token on login defeats session fixation; the data moves along.
    // It also replaces the CSRF secret: the login form's token is useless afterwards.
    await req.session.regenerate();
    // The demo has no user database: the username is the user id. Binding
    // puts this session in the user's index, with what "Your sessions" shows.
    const userAgent = req.get("user-agent");
    await req.session.bindUser(parsed.username, { label: describeDevice(userAgent).label, ip: clientIp(req), userAgent });
    // "Keep me signed in": 30 days of inactivity in a persistent cookie; else the manager's defaults.
    rememberIfAsked(req.session, (req.body as Record<string, unknown> | undefined)?.remember);
    req.session.data.username = parsed.username;
    flashWelcome(req.session, parsed.username);
    res.redirect(303, "/");
  });

  // A POST with the CSRF token: a GET that logs out could be fired by any
  // other site's link or image.
  app.post("/logout", csrfProtection, async (req, res) => {
    await req.session.destroy();
    res.redirect(303, "/");
  });

  // Only a session bound at login may see or revoke sessions.
  const requireLogin: RequestHandler = (req, res, next) => {
    if (req.session.userId === undefined) return res.redirect(303, "/login");
    next();
  };

  app.get("/sessions", requireLogin, async (req, res) => {
    countVisit(req);
    const list = await options.sessions.listUserSessions(req.session.userId!, { currentId: req.session.id });
    res.type("html").send(
      sessionsPage(context(req), {
        sessions: list,
        csrfToken: csrfToken(req.session),
        csrfField: CSRF_FIELD,
        nowMs: options.sessions.options.clock.now(),
        notice: revokedNotice(req.query.revoked),
      }),
    );
  });

  app.post("/sessions/:id/revoke", requireLogin, csrfProtection, async (req, res) => {
    const id = req.params.id;
    if (typeof id !== "string") return res.redirect(303, "/sessions");
    if (id === req.session.id) {
      // Revoking this very session is logging out: clear the cookie too.
      await req.session.destroy();
      return res.redirect(303, "/");
    }
    // The userId guard: an id from the browser can only revoke this user's own sessions.
    const revoked = await options.sessions.revokeSession(id, { userId: req.session.userId });
    res.redirect(303, `/sessions?revoked=${revoked ? 1 : 0}`);
  });

  app.post("/sessions/revoke-others", requireLogin, csrfProtection, async (req, res) => {
    const revoked = await options.sessions.revokeUserSessions(req.session.userId!, { exceptId: req.session.id });
    res.redirect(303, `/sessions?revoked=${revoked.length}`);
  });

  // The JSON API for header-token clients (examples/shared/api.ts). The
  // login needs no CSRF check: it sets no cookie and refuses a request
  // carrying the browser's. The logout is checked like any POST, which a
  // request authenticated by its Bearer token alone passes.
  const sendApi = (res: express.Response, answer: ApiAnswer): void => {
    res.status(answer.status).set(answer.headers);
    if (answer.body === undefined) res.end();
    else res.json(answer.body);
  };
  app.post("/api/login", async (req, res) => sendApi(res, await apiLogin(options, req.session, req.body, req.headers.cookie, req.get("user-agent"))));
  app.get("/api/me", (req, res) => sendApi(res, apiMe(options, req.session)));
  app.post("/api/logout", csrfProtection, async (req, res) => sendApi(res, await apiLogout(options, req.session)));

  app.get("/healthz", (_req, res) => {
    res.type("text").send(`ok ${options.instance}\n`);
  });

  const { metrics } = options;
  if (metrics) {
    app.get("/metrics", async (_req, res) => {
      const { body, headers } = await metrics.scrape(options.instance);
      res.set(headers).send(body);
    });
  }

  const onError: ErrorRequestHandler = (error, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof CsrfError) return res.status(403).type("html").send(formExpiredPage(context(req)));
    if (error instanceof SessionStoreError) {
      // Never pretend the user is logged out: say the store is unavailable.
      res.status(503).set("Retry-After", "2").type("html");
      res.send(unavailablePage({ instance: options.instance, username: undefined, visits: 0, banner: options.banner }));
      return;
    }
    console.error(error);
    res.status(500).type("text").send("Internal error\n");
  };
  app.use(onError);
  return app;
}

/** The client's address as Express sees it (through trusted proxies), without the IPv4-in-IPv6 prefix. */
function clientIp(req: express.Request): string | undefined {
  return req.ip?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
}

/** The one-line result shown after a revoke (`?revoked=N` on the redirect). */
function revokedNotice(raw: unknown): string | undefined {
  if (typeof raw !== "string" || !/^\d{1,4}$/.test(raw)) return undefined;
  const count = Number(raw);
  if (count === 0) return "Nothing was signed out: that session had already ended.";
  return count === 1 ? "Signed out 1 session." : `Signed out ${count} sessions.`;
}
