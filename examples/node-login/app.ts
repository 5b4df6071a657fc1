import type { IncomingMessage, ServerResponse } from "node:http";
import { CsrfError, SessionStoreError } from "tessera-session";
import { nodeCsrf, nodeSession } from "tessera-session/node";
import { FormTooLargeError, readForm } from "../shared/form.js";
import { countVisit, formExpired, logIn, loginForm, pageContext, type LoginAppOptions } from "../shared/login-app.js";
import { indexPage, parseUsername, unavailablePage } from "../shared/pages.js";

/**
 * The login example on plain node:http, no framework: `/` greets the
 * logged-in user, `/login` shows and accepts the form, `/logout` ends the
 * session; same pages as every other framework's version.
 *
 * @returns a request listener for `http.createServer`.
 */
export function createLoginHandler(options: LoginAppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const html = (res: ServerResponse, status: number, page: string): void => {
    res.writeHead(status, { "content-type": "text/html; charset=utf-8" }).end(page);
  };
  const redirectHome = (res: ServerResponse): void => {
    res.writeHead(303, { location: "/" }).end();
  };

  // Every POST needs this session's token and must not come from another site.
  const csrf = nodeCsrf({ trustProxy: options.trustProxy ?? false });
  const tessera = nodeSession(options.sessions, {
    trustProxy: options.trustProxy ?? false,
    onError(error, _req, res) {
      if (res.headersSent) return void res.destroy();
      // Never pretend the user is logged out: say the store is unavailable.
      if (error instanceof SessionStoreError) {
        res.setHeader("Retry-After", "2");
        return html(res, 503, unavailablePage(pageContext(options, undefined)));
      }
      if (error instanceof CsrfError) return html(res, 403, formExpired(options, undefined));
      if (error instanceof FormTooLargeError) return void res.writeHead(413).end();
      console.error(error);
      res.writeHead(500, { "content-type": "text/plain" }).end("Internal error\n");
    },
  });

  return tessera.handler(async (req, res, session) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    switch (`${req.method} ${path}`) {
      case "GET /":
        countVisit(session);
        return html(res, 200, indexPage(pageContext(options, session)));
      case "GET /login":
        if (session.data.username) return redirectHome(res);
        return html(res, 200, loginForm(options, session));
      case "POST /login": {
        const form = await readForm(req);
        csrf.verify(req, session, form); // throws CsrfError: the 403 page, via onError
        const parsed = parseUsername(form.username);
        if (!parsed.ok) return html(res, 400, loginForm(options, session, parsed.error));
        await logIn(session, parsed.username);
        return redirectHome(res);
      }
      case "GET /logout":
        await session.destroy();
        return redirectHome(res);
      case "GET /healthz":
        return void res.writeHead(200, { "content-type": "text/plain" }).end(`ok ${options.instance}\n`);
      default:
        return void res.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
    }
  });
}
