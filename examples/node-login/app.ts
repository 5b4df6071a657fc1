import type { IncomingMessage, ServerResponse } from "node:http";
import { CsrfError, SessionStoreError } from "tessera-session";
import { nodeCsrf, nodeSession } from "tessera-session/node";
import { apiLogin, apiLogout, apiMe, type ApiAnswer } from "../shared/api.js";
import { FormTooLargeError, readForm, readFormOrJson } from "../shared/form.js";
import { countVisit, formExpired, homePage, logIn, loginForm, pageContext, type LoginAppOptions } from "../shared/login-app.js";
import { parseUsername, unavailablePage } from "../shared/pages.js";

/**
 * The login example on plain node:http, no framework: `/` greets the
 * logged-in user, `/login` shows and accepts the form, `POST /logout` ends the
 * session; same pages as every other framework's version.
 *
 * @returns a request listener for `http.createServer`.
 */
export function createLoginHandler(options: LoginAppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const html = (res: ServerResponse, status: number, page: string): void => {
    res.writeHead(status, { "content-type": "text/html; charset=utf-8" }).end(page);
  };
  const notFound = (res: ServerResponse): void => void res.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
  const redirectHome = (res: ServerResponse): void => {
    res.writeHead(303, { location: "/" }).end();
  };

  const sendApi = (res: ServerResponse, answer: ApiAnswer): void => {
    const json = answer.body === undefined ? undefined : JSON.stringify(answer.body);
    res.writeHead(answer.status, { ...answer.headers, ...(json === undefined ? {} : { "content-type": "application/json; charset=utf-8" }) }).end(json);
  };

  // Every POST needs this session's token and must not come from another site
  // (a request authenticated by its Bearer token alone passes), but the API
  // login, which sets no cookie and refuses a request carrying the browser's.
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
        return html(res, 200, await homePage(options, session));
      case "GET /login":
        if (session.data.username) return redirectHome(res);
        return html(res, 200, loginForm(options, session));
      case "POST /login": {
        const form = await readForm(req);
        csrf.verify(req, session, form); // throws CsrfError: the 403 page, via onError
        const parsed = parseUsername(form.username);
        if (!parsed.ok) return html(res, 400, loginForm(options, session, parsed.error));
        await logIn(session, parsed.username, form.remember);
        return redirectHome(res);
      }
      case "POST /logout":
        // CSRF-checked like the login: a GET could be fired by any other site.
        csrf.verify(req, session, await readForm(req));
        await session.destroy();
        return redirectHome(res);
      case "POST /api/login":
        return sendApi(res, await apiLogin(options, session, await readFormOrJson(req), req.headers.cookie, req.headers["user-agent"]));
      case "GET /api/me":
        return sendApi(res, apiMe(options, session));
      case "POST /api/logout":
        csrf.verify(req, session, undefined);
        return sendApi(res, await apiLogout(options, session));
      case "GET /healthz":
        return void res.writeHead(200, { "content-type": "text/plain" }).end(`ok ${options.instance}\n`);
      case "GET /metrics":
        if (options.metrics) {
          const { body, headers } = await options.metrics.scrape(options.instance);
          return void res.writeHead(200, headers).end(body);
        }
        return notFound(res);
      default:
        return notFound(res);
    }
  });
}
