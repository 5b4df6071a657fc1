import assert from "node:assert/strict";
import http, { ServerResponse } from "node:http";
import { after, describe, it } from "node:test";
import express, { type RequestHandler } from "express";
import { createSessionManager } from "tessera-session";
import { expressSession } from "tessera-session/express";
import { memoryStore } from "tessera-session/memory";
import { nodeSession } from "tessera-session/node";
import { listenOnLoopback, type ServedApp } from "tessera-session/testing";
import { CookieClient } from "./support/http.js";

// The held response and `req.session` live in prototype layers, not in own
// properties (CPU per request, issue 12). These are the cases where other
// code swaps prototypes or wraps the same methods, which the conformance
// suite does not exercise.

const servers: ServedApp[] = [];
after(async () => {
  for (const served of servers) await served.close();
});
const serve = async (handler: http.RequestListener, options: http.ServerOptions = {}): Promise<CookieClient> => {
  const served = await listenOnLoopback(http.createServer(options, handler));
  servers.push(served);
  return new CookieClient(served.url);
};
const newManager = (name = "tessera") => createSessionManager<Record<string, unknown>>({ store: memoryStore(), cookie: { name } });

/** An app whose /set stores a visit count and redirects, and whose /get shows it. */
function visitRoutes(app: express.Express, session: (req: express.Request) => { data: Record<string, unknown> }): void {
  app.post("/set", (req, res) => {
    session(req).data.visits = 7;
    res.redirect(303, "get");
  });
  app.get("/get", (req, res) => void res.send(`visits ${String(session(req).data.visits ?? "none")}`));
}

async function assertRoundTrip(client: CookieClient, prefix: string, cookieName = "tessera"): Promise<void> {
  const set = await client.post(`${prefix}/set`, {});
  assert.equal(set.status, 303);
  assert.equal(set.setCookies.filter((line) => line.startsWith(`${cookieName}=`)).length, 1, "one session cookie");
  assert.equal((await client.get(`${prefix}/get`)).body, "visits 7");
}

describe("held responses beside other prototype swaps and wrappers", () => {
  it("Express: a mounted sub-app (which swaps req's and res's prototypes) still commits", async () => {
    const tessera = expressSession(newManager());
    const sub = express();
    visitRoutes(sub, tessera.session);
    const app = express();
    app.use(tessera);
    app.use("/sub", sub);
    await assertRoundTrip(await serve(app), "/sub");
  });

  it("Express: the middleware inside a sub-app, the route in the parent after it", async () => {
    const tessera = expressSession(newManager());
    const sub = express();
    sub.use(tessera);
    const app = express();
    app.use(sub); // the sub-app answers nothing: the parent's routes see its session
    visitRoutes(app, tessera.session);
    await assertRoundTrip(await serve(app), "");
  });

  it("Express: an app that wraps res.end after the middleware, and one that wrapped it before", async () => {
    const calls: string[] = [];
    const wrapEnd =
      (label: string): RequestHandler =>
      (_req, res, next) => {
        const end = res.end;
        res.end = function (this: express.Response, ...args: Parameters<typeof end>) {
          calls.push(label);
          return end.apply(this, args);
        } as typeof end;
        next();
      };
    const tessera = expressSession(newManager());
    const app = express();
    app.use(wrapEnd("before"));
    app.use(tessera);
    app.use(wrapEnd("after"));
    visitRoutes(app, tessera.session);
    await assertRoundTrip(await serve(app), "");
    assert.deepEqual(calls.slice(0, 2), ["after", "before"]);
  });

  it("Express: two session middlewares (two managers, two cookies) on one app both commit", async () => {
    const user = expressSession(newManager("user"));
    const admin = expressSession(newManager("admin"));
    const app = express();
    // req.session is the last middleware's session: keep the first one's aside.
    app.use(user, (req, res, next) => void ((res.locals.userSession = user.session(req)), next()), admin);
    app.post("/set", (req, res) => {
      (res.locals.userSession as typeof req.session).data.visits = 7;
      admin.session(req).data.visits = 8;
      res.redirect(303, "/get");
    });
    app.get("/get", (req, res) => void res.send(`${String((res.locals.userSession as typeof req.session).data.visits)} ${String(admin.session(req).data.visits)}`));
    const client = await serve(app);
    const set = await client.post("/set", {});
    assert.deepEqual(set.setCookies.map((line) => line.split("=")[0]).sort(), ["admin", "user"]);
    assert.equal((await client.get("/get")).body, "7 8");
  });

  it("Express: req.session can be assigned, and routes before the middleware have none", async () => {
    const tessera = expressSession(newManager());
    const app = express();
    app.get("/before", (req, res) => void res.send(`session ${typeof (req as { session?: unknown }).session}`));
    app.use(tessera);
    app.get("/assigned", (req, res) => {
      const replacement = { ...req.session, data: { visits: 1 } } as unknown as typeof req.session;
      req.session = replacement;
      res.send(String(req.session === replacement));
    });
    const client = await serve(app);
    assert.equal((await client.get("/before")).body, "session undefined");
    assert.equal((await client.get("/assigned")).body, "true");
  });

  it("node:http: a ServerResponse subclass with its own end still commits through it", async () => {
    let ended = 0;
    class CountingResponse<Request extends http.IncomingMessage> extends ServerResponse<Request> {
      override end(...args: unknown[]): this {
        ended++;
        return Reflect.apply(super.end, this, args) as this;
      }
    }
    const tessera = nodeSession(newManager());
    const handler = tessera.handler(async (req, res, session) => {
      if (req.method === "POST") {
        session.data.visits = 7;
        res.writeHead(303, { location: "/get" }).end();
      } else res.end(`visits ${String(session.data.visits ?? "none")}`);
    });
    await assertRoundTrip(await serve(handler, { ServerResponse: CountingResponse as typeof ServerResponse }), "");
    assert.equal(ended, 2);
  });

  it("node:http: a response the app wrapped before forRequest still commits", async () => {
    const tessera = nodeSession(newManager());
    const client = await serve(async (req, res) => {
      const write = res.write;
      res.write = function (this: ServerResponse, ...args: Parameters<typeof write>) {
        return write.apply(this, args);
      } as typeof write;
      const session = await tessera.forRequest(req, res);
      if (req.method === "POST") {
        session.data.visits = 7;
        res.writeHead(303, { location: "/get" });
        res.end();
      } else {
        res.write("visits ");
        res.end(String(session.data.visits ?? "none"));
      }
    });
    await assertRoundTrip(client, "");
  });

  it("node:http: a plain response keeps its prototype, holds through the same own methods on every response, and an end wrapped after forRequest still commits", async () => {
    const tessera = nodeSession(newManager());
    const seen: Array<{ keptPrototype: boolean; ownEnd: unknown }> = [];
    const client = await serve(async (req, res) => {
      const session = await tessera.forRequest(req, res);
      seen.push({ keptPrototype: Object.getPrototypeOf(res) === ServerResponse.prototype, ownEnd: Object.hasOwn(res, "end") ? res.end : undefined });
      const end = res.end;
      res.end = function (this: ServerResponse, ...args: Parameters<typeof end>) {
        return end.apply(this, args);
      } as typeof end;
      if (req.method === "POST") {
        session.data.visits = 7;
        res.writeHead(303, { location: "/get" }).end();
      } else res.end(`visits ${String(session.data.visits ?? "none")}`);
    });
    await assertRoundTrip(client, "");
    // Swapping the prototype of each response gave it a shape of its own, and
    // node's http code then missed its property caches on every access.
    assert.deepEqual(
      seen.map((s) => s.keptPrototype),
      [true, true],
      "each response keeps ServerResponse.prototype",
    );
    assert.equal(typeof seen[0]!.ownEnd, "function", "the hold's end is the response's own method");
    assert.equal(seen[0]!.ownEnd, seen[1]!.ownEnd, "the same function on every response, so responses share a shape");
  });

  it("Express: the hold and req.session add no link to the prototype chains of req and res", async () => {
    const tessera = expressSession(newManager());
    const app = express();
    app.use(tessera);
    let chains: { res: object[]; req: object[] } | undefined;
    app.get("/", (req, res) => {
      const chainOf = (object: object): object[] => {
        const chain: object[] = [];
        for (let proto = Object.getPrototypeOf(object) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) chain.push(proto);
        return chain;
      };
      chains = { res: chainOf(res), req: chainOf(req) };
      res.send(String(req.session.data.visits ?? "none"));
    });
    const client = await serve(app);
    assert.equal((await client.get("/")).body, "none");
    // Every lookup on an Express req or res that misses V8's caches walks
    // the chain: one more link cost every such lookup, Express's own too.
    assert.equal(chains!.res[0], app.response, "res's prototype is the app's");
    assert.equal(chains!.res[2], ServerResponse.prototype, "then Express's response prototype, then node's: nothing between");
    assert.equal(chains!.req[0], app.request, "req's prototype is the app's");
    assert.equal(chains!.req[2], http.IncomingMessage.prototype, "then Express's request prototype, then node's: nothing between");
  });

  it("Express: req.session still reads the same session after the response closed", async () => {
    const tessera = expressSession(newManager());
    const app = express();
    app.use(tessera);
    let seen: { same: boolean; visits: unknown } | undefined;
    app.post("/set", (req, res) => {
      req.session.data.visits = 7;
      const session = req.session;
      res.on("close", () => setImmediate(() => (seen = { same: req.session === session, visits: req.session.data.visits })));
      res.send("ok");
    });
    const client = await serve(app);
    assert.equal((await client.post("/set", {})).status, 200);
    for (let i = 0; i < 100 && seen === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(seen, { same: true, visits: 7 });
  });

  it("Express: two middlewares of two managers: each accessor gives its own session, and failOnError marks its own hold", async () => {
    const admin = expressSession(newManager("admin"));
    const user = expressSession(newManager("user"));
    const app = express();
    app.use(admin, user);
    app.post("/boom", (req, _res, next) => {
      admin.session(req).data.visits = 1;
      user.session(req).data.visits = 1;
      next(new Error("boom"));
    });
    app.use(user.failOnError);
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(200).send("handled"));
    const response = await (await serve(app)).post("/boom", {});
    assert.equal(response.body, "handled");
    // The second middleware's hold (on own methods) was found and marked: its change was discarded.
    assert.deepEqual(response.setCookies.filter((line) => line.startsWith("user=")), []);
    // The first middleware's hold (on the prototype layer) is another manager's: not marked, its change committed.
    assert.equal(response.setCookies.filter((line) => line.startsWith("admin=")).length, 1, JSON.stringify(response.setCookies));
  });

  it("Express: a client that left while its session loaded: the route still runs with its session", async () => {
    let release!: () => void;
    const loading = new Promise<void>((r) => (release = r));
    let arrived!: (res: express.Response) => void;
    const reached = new Promise<express.Response>((r) => (arrived = r));
    const manager = newManager();
    const load = manager.load.bind(manager);
    manager.load = async (input) => {
      await loading;
      return load(input);
    };
    const app = express();
    app.use((_req, res, next) => {
      arrived(res);
      next();
    });
    app.use(expressSession(manager));
    let answered!: (kind: string) => void;
    const answer = new Promise<string>((r) => (answered = r));
    app.get("/", (req, res) => {
      req.session.data.visits = 1;
      res.send("late");
      answered(typeof req.session);
    });
    const served = await listenOnLoopback(http.createServer(app));
    servers.push(served);
    const request = http.get(served.url);
    request.on("error", () => undefined);
    const res = await reached;
    const closed = new Promise((r) => res.once("close", r));
    request.destroy();
    await closed;
    release();
    assert.equal(await answer, "object");
  });
});
