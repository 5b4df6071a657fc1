/**
 * The same small app on all five adapters, with each adapter's CSRF helper,
 * for test/csrf.test.ts: a form page that hands out a token, a login that
 * regenerates, a change counter, and a read-back. A CSRF failure answers
 * with the error's own status and its typed `code` and `reason`, through
 * each framework's error path.
 */
import http, { type IncomingMessage, type Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import express, { type ErrorRequestHandler } from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import Koa from "koa";
import { CsrfError, csrfToken, type CsrfOptions, type Session, type SessionManager } from "tessera-session";
import { expressCsrf, expressSession } from "tessera-session/express";
import { fastifyCsrf, fastifySession } from "tessera-session/fastify";
import { honoCsrf, honoSession } from "tessera-session/hono";
import { koaCsrf, koaSession } from "tessera-session/koa";
import { nodeCsrf, nodeSession } from "tessera-session/node";
import { listenOnLoopback, type ServedApp } from "tessera-session/testing";

/** The apps' session data, whatever the app-wide `SessionData` says. */
type Data = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySession = Session<any>;
type Manager = SessionManager<Data>;

/**
 * Builds one framework's app for a manager, listening on a loopback port.
 * With `defaultErrors`, the app has no error handler of its own: the
 * framework's default one answers.
 */
export type ServeCsrfApp = (manager: Manager, options?: CsrfOptions & { defaultErrors?: boolean }) => Promise<ServedApp>;

/** What a route does, framework-free: given the session and the parsed form, the JSON to answer. */
type Handler = (session: AnySession, form: Record<string, unknown>) => Promise<unknown> | unknown;

const data = (session: AnySession): Data => session.data as Data;

/** The routes every app serves. GET /form's body is a token, as a page's hidden field would carry it. */
const routes: Record<string, Handler> = {
  "GET /form": (session) => ({ token: csrfToken(session) }),
  "GET /whoami": (session) => ({ username: data(session).username ?? null, changes: data(session).changes ?? 0 }),
  "POST /login": async (session, form) => {
    await session.regenerate();
    data(session).username = typeof form.username === "string" ? form.username : "ada";
    return { ok: true };
  },
  "POST /change": (session) => {
    const changes = Number(data(session).changes ?? 0) + 1;
    data(session).changes = changes;
    return { changes };
  },
};

/** The typed answer to a CSRF failure. */
const refusal = (error: CsrfError) => ({ code: error.code, reason: error.reason });

function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > 4096) req.destroy(new Error("form too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")))));
    req.on("error", reject);
  });
}

const isForm = (type: string | undefined) => (type ?? "").startsWith("application/x-www-form-urlencoded");

export const csrfApps: Record<string, ServeCsrfApp> = {
  async express(manager, { defaultErrors, ...options } = {}) {
    const app = express();
    app.set("env", "test"); // the default error handler, without logging the expected 403s
    app.use(express.urlencoded({ extended: false, limit: "4kb" }));
    const tessera = expressSession(manager);
    app.use(tessera);
    app.use(expressCsrf(options));
    for (const [key, handle] of Object.entries(routes)) {
      const [method, path] = key.split(" ") as [string, string];
      app[method === "GET" ? "get" : "post"](path, async (req, res) => {
        res.json(await handle(tessera.session(req), (req.body ?? {}) as Record<string, unknown>));
      });
    }
    const onError: ErrorRequestHandler = (error, _req, res, next) => {
      if (error instanceof CsrfError) return void res.status(error.status).json(refusal(error));
      next(error);
    };
    if (!defaultErrors) app.use(onError);
    return listenOnLoopback(http.createServer(app));
  },

  async fastify(manager, { defaultErrors, ...options } = {}) {
    const app = Fastify();
    app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 4096 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    if (!defaultErrors) {
      app.setErrorHandler((error, _request, reply) => {
        if (error instanceof CsrfError) return reply.code(error.status).send(refusal(error));
        return reply.send(error);
      });
    }
    await app.register(fastifySession(manager));
    await app.register(fastifyCsrf(options));
    for (const [key, handle] of Object.entries(routes)) {
      const [method, url] = key.split(" ") as ["GET" | "POST", string];
      app.route({ method, url, handler: async (request) => handle(request.session, (request.body ?? {}) as Record<string, unknown>) });
    }
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    return { url, close: () => app.close() };
  },

  async koa(manager, { defaultErrors, ...options } = {}) {
    const app = new Koa();
    app.silent = true;
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        if (defaultErrors || !(error instanceof CsrfError)) throw error;
        ctx.status = error.status;
        ctx.body = refusal(error);
      }
    });
    app.use(koaSession(manager));
    // The body parser the helper expects before it (what @koa/bodyparser does, for forms).
    app.use(async (ctx, next) => {
      if (isForm(ctx.get("content-type"))) (ctx.request as { body?: unknown }).body = await readForm(ctx.req);
      await next();
    });
    app.use(koaCsrf(options));
    app.use(async (ctx) => {
      const handle = routes[`${ctx.method} ${ctx.path}`];
      if (handle) ctx.body = await handle(ctx.session, ((ctx.request as { body?: unknown }).body ?? {}) as Record<string, unknown>);
    });
    return listenOnLoopback(http.createServer(app.callback()));
  },

  async hono(manager, { defaultErrors, ...options } = {}) {
    const app = new Hono();
    app.use(honoSession(manager));
    app.use(honoCsrf(options));
    for (const [key, handle] of Object.entries(routes)) {
      const [method, path] = key.split(" ") as [string, string];
      app.on(method, path, async (c) => {
        const form = isForm(c.req.header("content-type")) ? await c.req.parseBody() : {};
        return c.json(await handle(c.get("session"), form));
      });
    }
    app.onError((error, c) => {
      if (!defaultErrors && error instanceof HTTPException && error.cause instanceof CsrfError) return c.json(refusal(error.cause), error.status);
      // What Hono's default handler does, without logging the expected 403s.
      return error instanceof HTTPException ? error.getResponse() : c.text("Internal Server Error", 500);
    });
    return listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
  },

  async node(manager, { defaultErrors, ...options } = {}) {
    const csrf = nodeCsrf(options);
    const tessera = nodeSession(
      manager,
      defaultErrors
        ? {}
        : {
            onError(error, _req, res) {
              if (error instanceof CsrfError) return void res.writeHead(error.status, { "content-type": "application/json" }).end(JSON.stringify(refusal(error)));
              res.writeHead(500).end();
            },
          },
    );
    const server = http.createServer(
      tessera.handler(async (req, res, session) => {
        const handle = routes[`${req.method} ${new URL(req.url ?? "/", "http://x").pathname}`];
        if (!handle) return void res.writeHead(404).end();
        const form = isForm(req.headers["content-type"]) ? await readForm(req) : {};
        csrf.verify(req, session, form);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(await handle(session, form)));
      }),
    );
    return listenOnLoopback(server);
  },
};
