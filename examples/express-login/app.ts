import express, { type ErrorRequestHandler } from "express";
import { SessionStoreError, type SessionManager, type SessionData } from "tessera";
import { expressSession } from "tessera/express";
import { indexPage, loginPage, parseUsername, unavailablePage, type PageContext } from "../shared/pages.js";
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
}

/**
 * The Flask login example, rebuilt on Express and Tessera: `/` greets the
 * logged-in user, `/login` shows and accepts the form, `/logout` ends the
 * session. Every page counts visits in the session and names the instance
 * that served it.
 */
export function createLoginApp(options: LoginAppOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");
  if (options.trustProxy !== undefined) app.set("trust proxy", options.trustProxy);
  app.use(express.urlencoded({ extended: false, limit: "4kb" }));
  app.use(expressSession(options.sessions));

  const context = (req: express.Request): PageContext => ({
    instance: options.instance,
    username: req.session?.data.username,
    visits: req.session?.data.visits ?? 0,
    banner: options.banner,
  });
  const countVisit = (req: express.Request): void => {
    req.session.data.visits = (req.session.data.visits ?? 0) + 1;
  };

  app.get("/", (req, res) => {
    countVisit(req);
    res.type("html").send(indexPage(context(req)));
  });

  app.get("/login", (req, res) => {
    if (req.session.data.username) return res.redirect(303, "/");
    res.type("html").send(loginPage(context(req)));
  });

  app.post("/login", async (req, res) => {
    const parsed = parseUsername((req.body as Record<string, unknown> | undefined)?.username);
    if (!parsed.ok) return res.status(400).type("html").send(loginPage(context(req), parsed.error));
    // A new token on login defeats session fixation; the data moves along.
    await req.session.regenerate();
    req.session.data.username = parsed.username;
    res.redirect(303, "/");
  });

  app.get("/logout", async (req, res) => {
    await req.session.destroy();
    res.redirect(303, "/");
  });

  app.get("/healthz", (_req, res) => {
    res.type("text").send(`ok ${options.instance}\n`);
  });

  const onError: ErrorRequestHandler = (error, req, res, next) => {
    if (res.headersSent) return next(error);
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
