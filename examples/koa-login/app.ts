import Koa from "koa";
import { SessionStoreError } from "tessera";
import { koaSession } from "tessera/koa";
import { readForm } from "../shared/form.js";
import { countVisit, logIn, pageContext, type LoginAppOptions } from "../shared/login-app.js";
import { indexPage, loginPage, parseUsername, unavailablePage } from "../shared/pages.js";

/**
 * The login example on Koa: `/` greets the logged-in user, `/login` shows
 * and accepts the form, `/logout` ends the session; same pages as every
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
      if (!(error instanceof SessionStoreError)) throw error;
      ctx.status = 503;
      ctx.set("Retry-After", "2");
      ctx.type = "html";
      ctx.body = unavailablePage(pageContext(options, undefined));
    }
  });
  app.use(koaSession(options.sessions));

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
    switch (`${ctx.method} ${ctx.path}`) {
      case "GET /":
        countVisit(ctx.session);
        return html(200, indexPage(pageContext(options, ctx.session)));
      case "GET /login":
        if (ctx.session.data.username) return redirectHome();
        return html(200, loginPage(pageContext(options, ctx.session)));
      case "POST /login": {
        const parsed = parseUsername((await readForm(ctx.req)).username);
        if (!parsed.ok) return html(400, loginPage(pageContext(options, ctx.session), parsed.error));
        await logIn(ctx.session, parsed.username);
        return redirectHome();
      }
      case "GET /logout":
        await ctx.session.destroy();
        return redirectHome();
      case "GET /healthz":
        ctx.type = "text";
        ctx.body = `ok ${options.instance}\n`;
        return;
    }
  });
  return app;
}
