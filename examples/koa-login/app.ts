import Koa from "koa";
import { CsrfError, SessionStoreError } from "tessera-session";
import { koaCsrf, koaSession } from "tessera-session/koa";
import { apiLogin, apiLogout, apiMe, type ApiAnswer } from "../shared/api.js";
import { readFormOrJson } from "../shared/form.js";
import { countVisit, formExpired, homePage, logIn, loginForm, pageContext, type LoginAppOptions } from "../shared/login-app.js";
import { parseUsername, unavailablePage } from "../shared/pages.js";

declare module "koa" {
  interface Request {
    /** The parsed form, as a body parser (@koa/bodyparser) would set it; `koaCsrf` reads its token there. */
    body?: Record<string, unknown>;
  }
}

/**
 * The login example on Koa: `/` greets the logged-in user, `/login` shows
 * and accepts the form, `POST /logout` ends the session; same pages as every
 * other framework's version.
 */
export function createLoginApp(options: LoginAppOptions): Koa {
  const app = new Koa({ proxy: options.trustProxy ?? false });

  // Outermost: catches store failures from loading and from the commit
  // after the routes. Never pretend the user is logged out.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof CsrfError) {
        ctx.status = 403;
        ctx.type = "html";
        ctx.body = formExpired(options, ctx.session ?? undefined);
        return;
      }
      if (!(error instanceof SessionStoreError)) throw error;
      ctx.status = 503;
      ctx.set("Retry-After", "2");
      ctx.type = "html";
      ctx.body = unavailablePage(pageContext(options, undefined));
    }
  });
  app.use(koaSession(options.sessions));
  // What a body parser (@koa/bodyparser) would do for the login form and the API's JSON: koaCsrf reads ctx.request.body.
  app.use(async (ctx, next) => {
    if (ctx.method === "POST") {
      const body = await readFormOrJson(ctx.req);
      if (body !== null && typeof body === "object") ctx.request.body = body as Record<string, unknown>;
    }
    await next();
  });
  // Every POST needs this session's token and must not come from another site
  // (a request authenticated by its Bearer token alone passes), but the API
  // login, which sets no cookie and refuses a request carrying the browser's.
  const csrf = koaCsrf();
  app.use((ctx, next) => (ctx.method === "POST" && ctx.path === "/api/login" ? next() : csrf(ctx, next)));

  app.use(async (ctx) => {
    const html = (status: number, page: string): void => {
      ctx.status = status;
      ctx.type = "html";
      ctx.body = page;
    };
    const redirectHome = (): void => {
      ctx.status = 303; // set first: Koa keeps a redirect status it is given
      ctx.redirect("/");
    };
    const sendApi = (answer: ApiAnswer): void => {
      ctx.status = answer.status;
      ctx.set(answer.headers);
      if (answer.body !== undefined) ctx.body = answer.body;
    };
    switch (`${ctx.method} ${ctx.path}`) {
      case "POST /api/login":
        return sendApi(await apiLogin(options, ctx.session, ctx.request.body, ctx.get("cookie") || undefined, ctx.get("user-agent")));
      case "GET /api/me":
        return sendApi(apiMe(options, ctx.session));
      case "POST /api/logout":
        return sendApi(await apiLogout(options, ctx.session));
      case "GET /":
        countVisit(ctx.session);
        return html(200, await homePage(options, ctx.session));
      case "GET /login":
        if (ctx.session.data.username) return redirectHome();
        return html(200, loginForm(options, ctx.session));
      case "POST /login": {
        const parsed = parseUsername(ctx.request.body?.username);
        if (!parsed.ok) return html(400, loginForm(options, ctx.session, parsed.error));
        await logIn(ctx.session, parsed.username, ctx.request.body?.remember);
        return redirectHome();
      }
      case "POST /logout": // CSRF-checked like every POST: a GET could be fired by any other site
        await ctx.session.destroy();
        return redirectHome();
      case "GET /healthz":
        ctx.type = "text";
        ctx.body = `ok ${options.instance}\n`;
        return;
      case "GET /metrics": {
        if (!options.metrics) break;
        const { body, headers } = await options.metrics.scrape(options.instance);
        ctx.set(headers);
        ctx.body = body;
        return;
      }
    }
  });
  return app;
}
