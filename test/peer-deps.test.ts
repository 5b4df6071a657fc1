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
