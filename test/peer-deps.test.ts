import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";

// A Hono user installs tessera-session and hono, nothing else: the packed package
// must import and type-check without Express, Fastify or Koa (or their types).
const run = promisify(execFile);
const root = resolve(import.meta.dirname, "..");
// Read from node_modules directly: not every package exports its package.json.
const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

describe("peer dependencies: tessera-session + hono alone", () => {
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tessera-peer-"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
    assert.ok(packed, `npm pack printed no package: ${stdout}`);
    const { filename } = packed;
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: "tessera-hono-fixture",
        private: true,
        type: "module",
        dependencies: {
          "tessera-session": `file:./${filename}`,
          hono: versionOf("hono"),
          // What a TypeScript app on Node has anyway; not a framework.
          "@types/node": versionOf("@types/node"),
        },
      }),
    );
    // The same versions the repo uses, so the npm cache serves them.
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir, timeout: 240_000 });
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("installs no other framework", () => {
    for (const name of ["express", "fastify", "koa", "@types/express", "@types/koa", "ioredis", "redis", "ws", "socket.io"]) {
      assert.equal(existsSync(join(dir, "node_modules", name)), false, `${name} must not be installed`);
    }
  });

  it('runs: import "tessera-session" and "tessera-session/hono" serve a session', async () => {
    writeFileSync(
      join(dir, "check.mjs"),
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
    const { stdout } = await run(process.execPath, ["check.mjs"], { cwd: dir });
    assert.equal(stdout.trim(), "hello ada");
  });

  it("type-checks with strict settings and library checks on", async () => {
    writeFileSync(
      join(dir, "check.ts"),
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
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          // Checks tessera's own .d.ts files too: a stray import of another
          // framework's types would fail here.
          skipLibCheck: false,
          types: ["node"],
        },
        files: ["check.ts"],
      }),
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir }).catch((error: { stdout?: string }) => {
      assert.fail(`tsc failed:\n${error.stdout ?? String(error)}`);
    });
  });
});

// A Nuxt (h3) user adds tessera-session and a Redis client to h3, nothing else:
// the packed package must import, serve and type-check without the other frameworks.
describe("peer dependencies: tessera-session + h3 + ioredis alone", () => {
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tessera-peer-h3-"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
    assert.ok(packed, `npm pack printed no package: ${stdout}`);
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: "tessera-h3-fixture",
        private: true,
        type: "module",
        dependencies: { "tessera-session": `file:./${packed.filename}`, h3: versionOf("h3"), ioredis: versionOf("ioredis"), "@types/node": versionOf("@types/node") },
      }),
    );
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir, timeout: 240_000 });
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("installs no other framework", () => {
    for (const name of ["express", "fastify", "koa", "hono", "nuxt", "next", "react-router", "@types/express", "@types/koa", "redis", "ws", "socket.io"]) {
      assert.equal(existsSync(join(dir, "node_modules", name)), false, `${name} must not be installed`);
    }
  });

  it('runs and type-checks: "tessera-session/h3" on an h3 app', async () => {
    writeFileSync(
      join(dir, "check.ts"),
      `import { createServer } from "node:http";
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
`,
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      // skipLibCheck: h3 1.15's own .d.ts names FetchEvent (WebWorker lib), which a Node app does not load.
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: ["node"] }, files: ["check.ts"] }),
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir }).catch((error: { stdout?: string }) => {
      assert.fail(`tsc failed:\n${error.stdout ?? String(error)}`);
    });
    // tsx from this repository only strips the types: the imports resolve in the fixture.
    const { stdout } = await run(process.execPath, ["--import", import.meta.resolve("tsx"), "check.ts"], { cwd: dir });
    assert.equal(stdout.trim(), "hello ada");
  });
});

// A SvelteKit user installs tessera-session, the kit (with its peers svelte and
// vite) and a Redis client: nothing else of ours, no other framework.
describe("peer dependencies: tessera-session + @sveltejs/kit + ioredis", () => {
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tessera-peer-sveltekit-"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
    assert.ok(packed, `npm pack printed no package: ${stdout}`);
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: "tessera-sveltekit-fixture",
        private: true,
        type: "module",
        dependencies: {
          "tessera-session": `file:./${packed.filename}`,
          ioredis: versionOf("ioredis"),
          "@types/node": versionOf("@types/node"),
        },
        // As SvelteKit's own template has them.
        devDependencies: {
          "@sveltejs/kit": versionOf("@sveltejs/kit"),
          "@sveltejs/vite-plugin-svelte": versionOf("@sveltejs/vite-plugin-svelte"),
          svelte: versionOf("svelte"),
          vite: versionOf("vite"),
        },
      }),
    );
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir, timeout: 240_000 });
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("installs no other framework and no other Redis client", () => {
    for (const name of ["express", "fastify", "koa", "hono", "astro", "next", "h3", "redis", "ws", "socket.io", "@types/express", "@types/koa"]) {
      assert.equal(existsSync(join(dir, "node_modules", name)), false, `${name} must not be installed`);
    }
  });

  it('runs: "tessera-session/sveltekit" commits a session through the handle hook', async () => {
    writeFileSync(
      join(dir, "check.mjs"),
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
    const { stdout } = await run(process.execPath, ["check.mjs"], { cwd: dir });
    assert.equal(stdout.trim(), "hello ada");
  });

  it("type-checks locals.session through App.Locals with strict settings", async () => {
    writeFileSync(
      join(dir, "check.ts"),
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
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: false, types: ["node"] },
        files: ["check.ts"],
      }),
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir }).catch((error: { stdout?: string }) => {
      assert.fail(`tsc failed:\n${error.stdout ?? String(error)}`);
    });
  });
});

// A Next.js user installs tessera-session, next (with react and react-dom) and a
// Redis client: Tessera brings nothing else of ours (issue 15).
describe("peer dependencies: tessera-session + next + ioredis alone", () => {
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tessera-peer-next-"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
    assert.ok(packed, `npm pack printed no package: ${stdout}`);
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: "tessera-next-fixture",
        private: true,
        type: "module",
        dependencies: {
          "tessera-session": `file:./${packed.filename}`,
          next: versionOf("next"),
          react: versionOf("react"),
          "react-dom": versionOf("react-dom"),
          ioredis: versionOf("ioredis"),
        },
      }),
    );
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir, timeout: 300_000 });
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("installs no other framework or Redis client", () => {
    for (const name of ["express", "fastify", "koa", "hono", "@hono/node-server", "redis", "ws", "socket.io"]) {
      assert.equal(existsSync(join(dir, "node_modules", name)), false, `${name} must not be installed`);
    }
  });

  it('runs: "tessera-session/fetch" serves a session and "tessera-session/next" loads outside Next', async () => {
    writeFileSync(
      join(dir, "check.mjs"),
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
    const { stdout } = await run(process.execPath, ["check.mjs"], { cwd: dir });
    assert.equal(stdout.trim(), "hello ada");
  });
});
