// Per-route store outage policy in every adapter, each in its framework's
// idiom: during a real outage (a SIGSTOPped redis-server), a route opted in
// to "anonymous" answers with an unavailable, empty session while a "fail"
// route gets the 503 of the framework's error path; bad option values are a
// SessionConfigError at start-up.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { createAdaptorServer } from "@hono/node-server";
import express, { type NextFunction, type Request, type Response } from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { Redis } from "ioredis";
import Koa from "koa";
import { createSessionManager, SessionConfigError, type Session, type SessionManager } from "tessera-session";
import { expressSession } from "tessera-session/express";
import { fetchSessions } from "tessera-session/fetch";
import { fastifySession } from "tessera-session/fastify";
import { honoSession, type HonoSessionEnv } from "tessera-session/hono";
import { koaSession } from "tessera-session/koa";
import { memoryStore } from "tessera-session/memory";
import { nodeSession } from "tessera-session/node";
import { redisStore } from "tessera-session/redis";
import { listenOnLoopback, type ServedApp } from "tessera-session/testing";
import { serveFetch } from "./support/fetch-server.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

interface Data {
  username: string;
  lastPage: string;
}

/**
 * Every app's routes, whatever the framework: `/login` signs "ada" in; any
 * other path answers with the session as loaded, then records the page (a
 * change an unavailable session must never write back).
 */
async function answer(path: string, session: Session<Data>): Promise<{ status: number; body: unknown }> {
  if (path === "/login") {
    await session.regenerate();
    session.data.username = "ada";
  }
  const body = { unavailable: session.unavailable, data: { ...session.data } };
  session.data.lastPage = path;
  return { status: 200, body };
}

/**
 * The policy the apps choose per request: `/public` can live without a
 * session, `/bogus` has a chooser bug (a value that is no policy), every
 * other route needs its session.
 */
function policyFor(path: string): "anonymous" | "fail" {
  if (path === "/bogus") return "ignore" as "fail";
  return path === "/public" ? "anonymous" : "fail";
}

/** One adapter under test: a real app on a loopback port, and its options checked at start-up. */
interface AdapterCase {
  name: string;
  serve(manager: SessionManager<Data>): Promise<ServedApp>;
  /** Creates the adapter (or declares a route) with this `storeOutage` value. */
  create(manager: SessionManager<Data>, storeOutage: unknown): unknown;
}

const cases: AdapterCase[] = [
  {
    name: "express (a function of req)",
    async serve(manager) {
      const app = express();
      app.set("env", "test"); // Express's default error handler, without logging the expected 503s
      const tessera = expressSession(manager, { storeOutage: (req) => policyFor(req.path) });
      app.use(tessera);
      app.use(async (req: Request, res: Response, next: NextFunction) => {
        try {
          const { status, body } = await answer(req.path, tessera.session(req));
          res.status(status).json(body);
        } catch (error) {
          next(error);
        }
      });
      return listenOnLoopback(http.createServer(app));
    },
    create: (manager, storeOutage) => expressSession(manager, { storeOutage: storeOutage as "fail" }),
  },
  {
    name: "fastify (a function of request)",
    async serve(manager) {
      const app = Fastify();
      const tessera = fastifySession(manager, { storeOutage: (request) => policyFor(request.url) });
      await app.register(tessera);
      app.all("/*", async (request, reply) => {
        const { status, body } = await answer(request.url, tessera.session(request));
        return reply.status(status).send(body);
      });
      await app.ready();
      return listenOnLoopback(app.server);
    },
    create: (manager, storeOutage) => fastifySession(manager, { storeOutage: storeOutage as "fail" }),
  },
  {
    name: "fastify (the route's config.tesseraStoreOutage, over the plugin's option)",
    async serve(manager) {
      const app = Fastify();
      // The plugin's policy is "anonymous"; routes that need the session say "fail" in their config.
      const tessera = fastifySession(manager, { storeOutage: "anonymous" });
      await app.register(tessera);
      const handle = async (request: import("fastify").FastifyRequest) => (await answer(request.url, tessera.session(request))).body;
      app.get("/public", { config: { tesseraStoreOutage: "anonymous" } }, handle);
      app.get("/private", { config: { tesseraStoreOutage: "fail" } }, handle);
      app.post("/login", { config: { tesseraStoreOutage: "fail" } }, handle);
      await app.ready();
      return listenOnLoopback(app.server);
    },
    async create(manager, storeOutage) {
      const app = Fastify();
      try {
        await app.register(fastifySession(manager));
        app.get("/", { config: { tesseraStoreOutage: storeOutage as "fail" } }, async () => "ok");
        await app.ready();
      } finally {
        await app.close();
      }
    },
  },
  {
    name: "koa (a function of ctx)",
    async serve(manager) {
      const app = new Koa();
      app.silent = true; // Koa's default error handling, without logging the expected 503s
      const tessera = koaSession(manager, { storeOutage: (ctx) => policyFor(ctx.path) });
      app.use(tessera);
      app.use(async (ctx) => {
        const { status, body } = await answer(ctx.path, tessera.session(ctx));
        ctx.status = status;
        ctx.body = body;
      });
      return listenOnLoopback(http.createServer(app.callback()));
    },
    create: (manager, storeOutage) => koaSession(manager, { storeOutage: storeOutage as "fail" }),
  },
  {
    name: "hono (a function of c)",
    async serve(manager) {
      const app = new Hono<HonoSessionEnv<Data>>();
      app.use(honoSession(manager, { storeOutage: (c) => policyFor(c.req.path) }));
      app.all("*", async (c) => {
        const { body } = await answer(c.req.path, c.get("session"));
        return c.json(body);
      });
      // Hono's default error handling, without logging the chooser bug's error.
      app.onError((error, c) => ("getResponse" in error ? (error as { getResponse(): globalThis.Response }).getResponse() : c.text("Internal Server Error", 500)));
      return listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as http.Server);
    },
    create: (manager, storeOutage) => honoSession(manager, { storeOutage: storeOutage as "fail" }),
  },
  {
    name: "fetch (a function of the Request)",
    async serve(manager) {
      const tessera = fetchSessions(manager, { storeOutage: (request) => policyFor(new URL(request.url).pathname) });
      return serveFetch(
        tessera.handler(async (request, session) => {
          const { status, body } = await answer(new URL(request.url).pathname, session);
          return Response.json(body, { status });
        }),
      );
    },
    create: (manager, storeOutage) => fetchSessions(manager, { storeOutage: storeOutage as "fail" }),
  },
  {
    name: "node:http (a function of req)",
    async serve(manager) {
      const tessera = nodeSession(manager, { storeOutage: (req) => policyFor(req.url ?? "/") });
      const server = http.createServer(
        tessera.handler(async (req, res, session) => {
          const { status, body } = await answer(req.url ?? "/", session);
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
        }),
      );
      return listenOnLoopback(server);
    },
    create: (manager, storeOutage) => nodeSession(manager, { storeOutage: storeOutage as "fail" }),
  },
];

/** GET or POST with an optional cookie; the session cookie's `name=value` if the response set one. */
async function request(app: ServedApp, method: string, path: string, cookie?: string) {
  const response = await fetch(new URL(path, app.url), { method, headers: cookie === undefined ? {} : { cookie } });
  const text = await response.text();
  const setCookie = response.headers.getSetCookie().find((header) => header.startsWith("tessera="));
  return { status: response.status, text, setCookie, cookie: setCookie?.split(";")[0] };
}

/**
 * Logs "ada" in; during an outage (Redis paused), `/public` ("anonymous")
 * must get an unavailable, empty session with the cookie untouched and
 * `/private` ("fail") a 503; after it, the session is intact.
 */
async function checkOutageSplit(app: ServedApp, redis: RedisServer): Promise<void> {
  const login = await request(app, "POST", "/login");
  assert.equal(login.status, 200, login.text);
  assert.ok(login.cookie, "logged in");

  redis.pause();
  try {
    const open = await request(app, "GET", "/public", login.cookie);
    assert.equal(open.status, 200, open.text);
    assert.deepEqual(JSON.parse(open.text), { unavailable: true, data: {} });
    assert.equal(open.setCookie, undefined, "the cookie is untouched: not a logout");

    const closed = await request(app, "GET", "/private", login.cookie);
    assert.equal(closed.status, 503, closed.text);
  } finally {
    redis.resume();
  }

  const back = await request(app, "GET", "/private", login.cookie);
  assert.equal(back.status, 200, back.text);
  assert.deepEqual(JSON.parse(back.text), { unavailable: false, data: { username: "ada", lastPage: "/login" } }, "the session is intact; the outage page wrote nothing");
}

describe("per-route store outage policy in every adapter", () => {
  let redis: RedisServer;
  let client: Redis;

  before(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url);
  });

  after(async () => {
    client.disconnect();
    await redis.close();
  });

  for (const adapter of cases) {
    describe(adapter.name, () => {
      let app: ServedApp;

      before(async () => {
        // Manager-wide policy "fail": only the adapter's per-route choice lets /public go on.
        // storeTimeoutMs is short so that a paused Redis fails the load quickly.
        const manager = createSessionManager<Data>({
          store: redisStore({ client, prefix: `outage-${adapter.name}:` }),
          storeOutage: "fail",
          storeTimeoutMs: 300,
        });
        app = await adapter.serve(manager);
      });

      after(async () => {
        await app.close();
      });

      it('during an outage, an "anonymous" route gets an unavailable, empty session and a "fail" route a 503; nothing is lost', async () => {
        await checkOutageSplit(app, redis);
      });

      for (const bad of ["ignore", "Anonymous", 42, null, {}]) {
        it(`storeOutage ${JSON.stringify(bad)} is a SessionConfigError at start-up`, async () => {
          const manager = createSessionManager<Data>({ store: memoryStore() });
          await assert.rejects(async () => adapter.create(manager, bad), SessionConfigError);
        });
      }

      if (!adapter.name.includes("config")) {
        it("a storeOutage function that returns no policy fails the request at once, not at the first outage", async () => {
          const response = await request(app, "GET", "/bogus");
          assert.equal(response.status, 500, response.text);
        });
      }
    });
  }

  // `app.register()` without await loads the plugin only at ready(): the routes
  // declared after it in the code are added first, unseen by the plugin's
  // onRoute hook, and their config must still count (read per request).
  it("fastify: routes declared while the plugin's register is not awaited keep their config.tesseraStoreOutage", async () => {
    const manager = createSessionManager<Data>({ store: redisStore({ client, prefix: "outage-fastify-unawaited:" }), storeOutage: "fail", storeTimeoutMs: 300 });
    const fastify = Fastify();
    const tessera = fastifySession(manager);
    void fastify.register(tessera);
    const handle = async (request: import("fastify").FastifyRequest) => (await answer(request.url, tessera.session(request))).body;
    fastify.get("/public", { config: { tesseraStoreOutage: "anonymous" } }, handle);
    fastify.get("/private", handle);
    fastify.post("/login", handle);
    await fastify.ready();
    const app = await listenOnLoopback(fastify.server);
    try {
      await checkOutageSplit(app, redis);
    } finally {
      await app.close();
    }
  });

  // The onRoute check cannot see those routes either: a typo in their config
  // must still fail every request to the route at once (a SessionConfigError,
  // 500), not only during the first outage, when it would replace the page.
  it("fastify: a bad config.tesseraStoreOutage on a route the plugin did not see fails its requests at once, with the store up", async () => {
    const manager = createSessionManager<Data>({ store: redisStore({ client, prefix: "outage-fastify-unseen-typo:" }), storeOutage: "fail", storeTimeoutMs: 300 });
    const fastify = Fastify();
    const tessera = fastifySession(manager);
    void fastify.register(tessera);
    let configError: unknown;
    fastify.setErrorHandler((error, _request, reply) => {
      configError = error;
      void reply.status(500).send("config error");
    });
    fastify.get("/typo", { config: { tesseraStoreOutage: "anonymus" as "anonymous" } }, async () => "ok");
    fastify.get("/fine", async () => "ok");
    await fastify.ready();
    const app = await listenOnLoopback(fastify.server);
    try {
      const typo = await request(app, "GET", "/typo");
      assert.equal(typo.status, 500, typo.text);
      assert.ok(configError instanceof SessionConfigError, `a SessionConfigError, not ${String(configError)}`);
      assert.match((configError as Error).message, /route \/typo config\.tesseraStoreOutage/);
      const fine = await request(app, "GET", "/fine");
      assert.equal(fine.status, 200, "the other routes are unaffected");
    } finally {
      await app.close();
    }
  });
});
