import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { CsrfError, SessionStoreError } from "tessera-session";
import { fastifyCsrf, fastifySession } from "tessera-session/fastify";
import { apiLogin, apiLogout, apiMe, type ApiAnswer } from "../shared/api.js";
import { countVisit, formExpired, homePage, logIn, loginForm, pageContext, type LoginAppOptions } from "../shared/login-app.js";
import { parseUsername, unavailablePage } from "../shared/pages.js";

/**
 * The login example on Fastify: `/` greets the logged-in user, `/login`
 * shows and accepts the form, `POST /logout` ends the session; same pages as
 * every other framework's version.
 */
export async function createLoginApp(options: LoginAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ trustProxy: options.trustProxy ?? false });
  // Fastify parses JSON only; the login form is tiny, so no plugin is needed.
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 4096 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Before the routes: Fastify binds a route to the error handler in force when it is declared.
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof CsrfError) return reply.code(403).type("text/html").send(formExpired(options, request.session ?? undefined));
    if (error instanceof SessionStoreError) {
      // Never pretend the user is logged out: say the store is unavailable.
      return reply.code(503).header("Retry-After", "2").type("text/html").send(unavailablePage(pageContext(options, undefined)));
    }
    request.log.error(error);
    return reply.code(500).type("text/plain").send("Internal error\n");
  });
  await app.register(fastifySession(options.sessions));
  const sendApi = (reply: FastifyReply, answer: ApiAnswer) => reply.code(answer.status).headers(answer.headers).send(answer.body);
  // The API login needs no CSRF check (it sets no cookie and refuses a
  // request carrying the browser's: examples/shared/api.ts), so it is
  // declared outside the checked routes below.
  app.post("/api/login", async (request, reply) =>
    sendApi(reply, await apiLogin(options, request.session, request.body, request.headers.cookie, request.headers["user-agent"])));
  await app.register(async (checked) => {
    // Every other POST needs this session's token (in the form) and must not come from another site;
    // a request authenticated by its Bearer token alone passes.
    await checked.register(fastifyCsrf());
    checked.get("/", async (request, reply) => {
      countVisit(request.session);
      return reply.type("text/html").send(await homePage(options, request.session));
    });
    checked.get("/login", async (request, reply) => {
      if (request.session.data.username) return reply.redirect("/", 303);
      return reply.type("text/html").send(loginForm(options, request.session));
    });
    checked.post("/login", async (request, reply) => {
      const form = request.body as Record<string, unknown> | undefined;
      const parsed = parseUsername(form?.username);
      if (!parsed.ok) return reply.code(400).type("text/html").send(loginForm(options, request.session, parsed.error));
      await logIn(request.session, parsed.username, form?.remember);
      return reply.redirect("/", 303);
    });
    // A POST, CSRF-checked like every POST: a GET could be fired by any other site.
    checked.post("/logout", async (request, reply) => {
      await request.session.destroy();
      return reply.redirect("/", 303);
    });
    checked.get("/healthz", async (_request, reply) => reply.type("text/plain").send(`ok ${options.instance}\n`));
    const { metrics } = options;
    if (metrics) {
      checked.get("/metrics", async (_request, reply) => {
        const { body, headers } = await metrics.scrape(options.instance);
        return reply.headers(headers).send(body);
      });
    }
    checked.get("/api/me", async (request, reply) => sendApi(reply, apiMe(options, request.session)));
    checked.post("/api/logout", async (request, reply) => sendApi(reply, await apiLogout(options, request.session)));
  });
  return app;
}
