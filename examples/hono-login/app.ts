import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { CsrfError, SessionStoreError } from "tessera-session";
import { honoCsrf, honoSession } from "tessera-session/hono";
import type { ContentfulStatusCode, StatusCode } from "hono/utils/http-status";
import { apiLogin, apiLogout, apiMe, type ApiAnswer } from "../shared/api.js";
import { countVisit, formExpired, homePage, logIn, loginForm, pageContext, type LoginAppOptions } from "../shared/login-app.js";
import { parseUsername, unavailablePage } from "../shared/pages.js";

/**
 * The login example on Hono: `/` greets the logged-in user, `/login` shows
 * and accepts the form, `POST /logout` ends the session; same pages as every
 * other framework's version.
 */
export function createLoginApp(options: LoginAppOptions): Hono {
  const app = new Hono();
  app.use(honoSession(options.sessions, { trustProxy: options.trustProxy ?? false }));
  // Every POST needs this session's token and must not come from another site. The
  // helper reads form bodies, so the size limit comes first.
  // The API login is not checked: it sets no cookie and refuses a request
  // carrying the browser's (examples/shared/api.ts). A request authenticated
  // by its Bearer token alone passes the check.
  const csrf = honoCsrf({ trustProxy: options.trustProxy ?? false });
  app.use(bodyLimit({ maxSize: 4096 }), (c, next) => (c.req.method === "POST" && c.req.path === "/api/login" ? next() : csrf(c, next)));

  app.get("/", async (c) => {
    countVisit(c.get("session"));
    return c.html(await homePage(options, c.get("session")));
  });
  app.get("/login", (c) => {
    if (c.get("session").data.username) return c.redirect("/", 303);
    return c.html(loginForm(options, c.get("session")));
  });
  app.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const parsed = parseUsername(form.username);
    if (!parsed.ok) return c.html(loginForm(options, c.get("session"), parsed.error), 400);
    await logIn(c.get("session"), parsed.username, form.remember);
    return c.redirect("/", 303);
  });
  // A POST, CSRF-checked like every POST: a GET could be fired by any other site.
  app.post("/logout", async (c) => {
    await c.get("session").destroy();
    return c.redirect("/", 303);
  });
  const sendApi = (c: Context, answer: ApiAnswer): Response =>
    answer.body === undefined
      ? c.body(null, answer.status as StatusCode, answer.headers)
      : c.json(answer.body, answer.status as ContentfulStatusCode, answer.headers);
  app.post("/api/login", async (c) => {
    const json = /^\s*application\/json\s*(;|$)/i.test(c.req.header("content-type") ?? "");
    const body: unknown = json ? await c.req.json().catch(() => ({})) : await c.req.parseBody();
    return sendApi(c, await apiLogin(options, c.get("session"), body, c.req.header("cookie"), c.req.header("user-agent")));
  });
  app.get("/api/me", (c) => sendApi(c, apiMe(options, c.get("session"))));
  app.post("/api/logout", async (c) => sendApi(c, await apiLogout(options, c.get("session"))));
  app.get("/healthz", (c) => c.text(`ok ${options.instance}\n`));
  const { metrics } = options;
  if (metrics) {
    app.get("/metrics", async (c) => {
      const { body, headers } = await metrics.scrape(options.instance);
      return c.body(body, 200, headers);
    });
  }

  app.onError((error, c) => {
    // tessera/hono raises store failures as a 503 HTTPException; the
    // SessionStoreError is its cause. Never pretend the user is logged out.
    if (error instanceof HTTPException && error.cause instanceof CsrfError) return c.html(formExpired(options, c.get("session")), 403);
    if (error instanceof HTTPException && error.cause instanceof SessionStoreError) {
      return c.html(unavailablePage(pageContext(options, undefined)), 503, { "Retry-After": "2" });
    }
    if (error instanceof HTTPException) return error.getResponse();
    console.error(error);
    return c.text("Internal error\n", 500);
  });
  return app;
}
