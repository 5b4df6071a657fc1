/**
 * What an app of each framework installs with Tessera: the packed tarball
 * beside that framework and a Redis client (test/support/peer-fixture.ts)
 * brings nothing else of ours and no other framework, and imports, serves
 * and type-checks there.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { middlewareCheckScript, peerFixture, versionOf, type PeerFixture } from "./support/peer-fixture.js";

/** One fixture app per describe: installed before its tests, removed after. */
function installed(options: Parameters<typeof peerFixture>[0]): () => PeerFixture {
  let app: PeerFixture | undefined;
  before(async () => {
    app = await peerFixture(options);
  });
  after(() => app?.remove());
  return () => app!;
}

// A Hono user installs tessera-session and hono, nothing else: the packed package
// must import and type-check without Express, Fastify or Koa (or their types).
describe("peer dependencies: tessera-session + hono alone", () => {
  // @types/node: what a TypeScript app on Node has anyway; not a framework.
  const app = installed({ name: "hono", dependencies: { hono: versionOf("hono"), "@types/node": versionOf("@types/node") } });

  it("installs no other framework", () => {
    app().assertNotInstalled(["express", "fastify", "koa", "@types/express", "@types/koa", "ioredis", "redis", "ws", "socket.io"]);
  });

  it('runs: import "tessera-session" and "tessera-session/hono" serve a session', async () => {
    const stdout = await app().run(
      "check.mjs",
      `import { Hono } from "hono";
import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { honoSession } from "tessera-session/hono";
const app = new Hono();
app.use(honoSession(createSessionManager({ store: memoryStore() })));
app.get("/login", (c) => { c.get("session").data.username = "ada"; return c.text("ok"); });
app.get("/", (c) => c.text("hello " + (c.get("session").data.username ?? "stranger")));
const login = await app.request("/login");
const cookie = login.headers.get("set-cookie").split(";")[0];
console.log(await (await app.request("/", { headers: { cookie } })).text());
`,
    );
    assert.equal(stdout, "hello ada");
  });

  it("type-checks with strict settings and library checks on", async () => {
    await app().typeCheck(
      "check.ts",
      `import { Hono } from "hono";
import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { honoSession } from "tessera-session/hono";
declare module "tessera-session" { interface SessionData { username: string } }
const app = new Hono();
app.use(honoSession(createSessionManager({ store: memoryStore() })));
app.get("/", (c) => c.text(c.get("session").data.username ?? "stranger"));
// @ts-expect-error username is a string
app.get("/bad", (c) => { c.get("session").data.username = 1; return c.text(""); });
`,
    );
  });
});

// A Nuxt (h3) user adds tessera-session and a Redis client to h3, nothing else:
// the packed package must import, serve and type-check without the other frameworks.
describe("peer dependencies: tessera-session + h3 + ioredis alone", () => {
  const app = installed({ name: "h3", dependencies: { h3: versionOf("h3"), ioredis: versionOf("ioredis"), "@types/node": versionOf("@types/node") } });

  it("installs no other framework", () => {
    app().assertNotInstalled(["express", "fastify", "koa", "hono", "nuxt", "next", "react-router", "@types/express", "@types/koa", "redis", "ws", "socket.io"]);
  });

  it('runs and type-checks: "tessera-session/h3" on an h3 app', async () => {
    const source = `import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, defineEventHandler, toNodeListener } from "h3";
import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { h3Session } from "tessera-session/h3";
declare module "tessera-session" { interface SessionData { username: string } }
const app = createApp();
app.use(h3Session(createSessionManager({ store: memoryStore() })));
app.use("/login", defineEventHandler((event) => { event.context.session.data.username = "ada"; return "ok"; }));
// @ts-expect-error username is a string
app.use("/bad", defineEventHandler((event) => { event.context.session.data.username = 1; }));
app.use("/", defineEventHandler((event) => "hello " + (event.context.session.data.username ?? "stranger")));
const server = createServer(toNodeListener(app)).listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
const url = "http://127.0.0.1:" + (server.address() as AddressInfo).port;
const cookie = (await fetch(url + "/login")).headers.get("set-cookie")!.split(";")[0]!;
console.log(await (await fetch(url + "/", { headers: { cookie } })).text());
server.close();
`;
    // skipLibCheck: h3 1.15's own .d.ts names FetchEvent (WebWorker lib), which a Node app does not load.
    await app().typeCheck("check.ts", source, { skipLibCheck: true });
    // tsx from this repository only strips the types: the imports resolve in the fixture.
    assert.equal(await app().run("check.ts", source), "hello ada");
  });
});

// A SvelteKit user installs tessera-session, the kit (with its peers svelte and
// vite) and a Redis client: nothing else of ours, no other framework.
describe("peer dependencies: tessera-session + @sveltejs/kit + ioredis", () => {
  const app = installed({
    name: "sveltekit",
    dependencies: { ioredis: versionOf("ioredis"), "@types/node": versionOf("@types/node") },
    // As SvelteKit's own template has them.
    devDependencies: {
      "@sveltejs/kit": versionOf("@sveltejs/kit"),
      "@sveltejs/vite-plugin-svelte": versionOf("@sveltejs/vite-plugin-svelte"),
      svelte: versionOf("svelte"),
      vite: versionOf("vite"),
    },
  });

  it("installs no other framework and no other Redis client", () => {
    app().assertNotInstalled(["express", "fastify", "koa", "hono", "astro", "next", "h3", "redis", "ws", "socket.io", "@types/express", "@types/koa"]);
  });

  it('runs: "tessera-session/sveltekit" commits a session through the handle hook', async () => {
    const stdout = await app().run(
      "check.mjs",
      `import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { sveltekitSession } from "tessera-session/sveltekit";
const handle = sveltekitSession(createSessionManager({ store: memoryStore() }));
const event = (cookie) => ({ url: new URL("http://127.0.0.1/"), request: new Request("http://127.0.0.1/", { headers: cookie ? { cookie } : {} }), locals: {}, platform: undefined });
const login = await handle({ event: event(), resolve: async (e) => { e.locals.session.data.username = "ada"; return new Response("ok"); } });
const cookie = login.headers.get("set-cookie").split(";")[0];
const page = await handle({ event: event(cookie), resolve: async (e) => new Response("hello " + e.locals.session.data.username) });
console.log(await page.text());
`,
    );
    assert.equal(stdout, "hello ada");
  });

  it("type-checks locals.session through App.Locals with strict settings", async () => {
    await app().typeCheck(
      "check.ts",
      `import type { ServerLoad } from "@sveltejs/kit";
import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { sveltekitSession } from "tessera-session/sveltekit";
declare module "tessera-session" { interface SessionData { username: string } }
export const handle = sveltekitSession(createSessionManager({ store: memoryStore() }));
export const load: ServerLoad = ({ locals }) => ({ username: locals.session.data.username ?? "stranger" });
// @ts-expect-error username is a string
export const bad: ServerLoad = ({ locals }) => { locals.session.data.username = 1; };
`,
    );
  });
});

// A Next.js user installs tessera-session, next (with react and react-dom) and a
// Redis client: Tessera brings nothing else of ours (issue 15).
describe("peer dependencies: tessera-session + next + ioredis alone", () => {
  const app = installed({
    name: "next",
    dependencies: { next: versionOf("next"), react: versionOf("react"), "react-dom": versionOf("react-dom"), ioredis: versionOf("ioredis") },
    installTimeoutMs: 300_000,
  });

  it("installs no other framework or Redis client", () => {
    app().assertNotInstalled(["express", "fastify", "koa", "hono", "@hono/node-server", "redis", "ws", "socket.io"]);
  });

  it('runs: "tessera-session/fetch" serves a session and "tessera-session/next" loads outside Next', async () => {
    const stdout = await app().run(
      "check.mjs",
      `import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { redisStore } from "tessera-session/redis";
import { Redis } from "ioredis";
import { withSession } from "tessera-session/fetch";
import { nextSessions } from "tessera-session/next";
redisStore({ client: new Redis({ lazyConnect: true }) });
const sessions = createSessionManager({ store: memoryStore() });
const tessera = nextSessions(sessions);
const handle = tessera.route(async (request, session) => { session.data.username = "ada"; return new Response("ok"); });
const login = await handle(new Request("http://127.0.0.1/login"), {});
const cookie = login.headers.get("set-cookie").split(";")[0];
const greet = withSession(sessions, (request, session) => new Response("hello " + (session.data.username ?? "stranger")));
console.log(await (await greet(new Request("http://127.0.0.1/", { headers: { cookie } }))).text());
`,
    );
    assert.equal(stdout, "hello ada");
  });
});

// A React Router 7 (framework mode) user installs tessera-session, react-router
// (with react and react-dom) and a Redis client: nothing else of ours.
describe("peer dependencies: tessera-session + react-router + ioredis alone", () => {
  const app = installed({
    name: "react-router",
    dependencies: { "react-router": versionOf("react-router"), react: versionOf("react"), "react-dom": versionOf("react-dom"), ioredis: versionOf("ioredis") },
    devDependencies: { "@types/node": versionOf("@types/node"), "@types/react": versionOf("@types/react") },
  });

  it("installs no other framework or Redis client", () => {
    app().assertNotInstalled(["express", "fastify", "koa", "hono", "next", "astro", "h3", "@sveltejs/kit", "redis", "ws", "socket.io", "@types/express", "@types/koa"]);
  });

  it('runs: "tessera-session/react-router" middleware commits a session a loader changed', async () => {
    const stdout = await app().run(
      "check.mjs",
      middlewareCheckScript(`import { RouterContextProvider } from "react-router";
import { reactRouterSession, sessionContext } from "tessera-session/react-router";
const middleware = reactRouterSession(sessions);
const call = (cookie, loader) => {
  const context = new RouterContextProvider();
  const request = new Request("http://127.0.0.1/", { headers: cookie ? { cookie } : {} });
  return middleware({ request, context, params: {} }, async () => loader(context.get(sessionContext)));
};`),
    );
    assert.equal(stdout, "hello ada");
  });

  it("type-checks the session in loaders through sessionContext with strict settings", async () => {
    await app().typeCheck(
      "check.ts",
      `import type { LoaderFunctionArgs, MiddlewareFunction } from "react-router";
import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { reactRouterSession, sessionContext } from "tessera-session/react-router";
declare module "react-router" { interface Future { v8_middleware: true } }
declare module "tessera-session" { interface SessionData { username: string } }
export const middleware: MiddlewareFunction<Response>[] = [reactRouterSession(createSessionManager({ store: memoryStore() }))];
export const loader = ({ context }: LoaderFunctionArgs) => ({ username: context.get(sessionContext).data.username ?? "stranger" });
// @ts-expect-error username is a string
export const bad = ({ context }: LoaderFunctionArgs) => { context.get(sessionContext).data.username = 1; };
`,
    );
  });
});

// An Astro (server output) user installs tessera-session, astro and a Redis
// client: nothing else of ours.
describe("peer dependencies: tessera-session + astro + ioredis alone", () => {
  const app = installed({
    name: "astro",
    dependencies: { astro: versionOf("astro"), ioredis: versionOf("ioredis") },
    devDependencies: { "@types/node": versionOf("@types/node") },
    installTimeoutMs: 300_000,
  });

  it("installs no other framework or Redis client", () => {
    app().assertNotInstalled(["express", "fastify", "koa", "hono", "next", "react-router", "@sveltejs/kit", "redis", "socket.io", "@types/express", "@types/koa"]);
  });

  it('runs: "tessera-session/astro" middleware commits a session a page changed', async () => {
    const stdout = await app().run(
      "check.mjs",
      middlewareCheckScript(`import { astroSession } from "tessera-session/astro";
const onRequest = astroSession(sessions);
const call = (cookie, page) => {
  const request = new Request("http://127.0.0.1/", { headers: cookie ? { cookie } : {} });
  const context = { request, url: new URL(request.url), locals: {}, clientAddress: "127.0.0.1" };
  return onRequest(context, async () => page(context.locals.session));
};`),
    );
    assert.equal(stdout, "hello ada");
  });

  it("type-checks locals.session through App.Locals with strict settings", async () => {
    await app().typeCheck(
      "check.ts",
      `import type { APIRoute } from "astro";
import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { astroSession } from "tessera-session/astro";
declare module "tessera-session" { interface SessionData { username: string } }
export const onRequest = astroSession(createSessionManager({ store: memoryStore() }));
export const GET: APIRoute = ({ locals }) => new Response(locals.session.data.username ?? "stranger");
// @ts-expect-error username is a string
export const POST: APIRoute = ({ locals }) => { locals.session.data.username = 1; return new Response(""); };
`,
      // skipLibCheck: Astro 6's own .d.ts do not check alone (unstorage's drivers name packages an app need not
      // install, and integrations.d.ts an undeclared AstroAdapterClientConfig); the Hono fixture checks Tessera's.
      { skipLibCheck: true },
    );
  });
});
