/**
 * What the three migration tests share: the Tessera app for each framework
 * (same routes), key counting on the private redis-server, and the checks
 * every library must pass. The old apps are each test's own, built with the
 * real old library.
 */
import assert from "node:assert/strict";
import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import Koa from "koa";
import type { Redis } from "ioredis";
import { createSessionManager, type LegacySessionSource, type Session, type SessionManager, type SessionManagerOptions } from "tessera-session";
import { expressSession } from "tessera-session/express";
import { fastifySession } from "tessera-session/fastify";
import { honoSession } from "tessera-session/hono";
import { koaSession } from "tessera-session/koa";
import { nodeSession } from "tessera-session/node";
import { redisStore } from "tessera-session/redis";
import { CookieClient } from "./http.js";
import { waitFor } from "./wait-for.js";

/** The Tessera store's key prefix in these tests. */
export const TESSERA_PREFIX = "t:";
export const TESSERA_SECRET = "t".repeat(40);

type Data = Record<string, unknown>;
export type Framework = "express" | "fastify" | "koa" | "hono" | "node";
/** Every framework the rig serves. */
export const FRAMEWORKS: readonly Framework[] = ["express", "fastify", "koa", "hono", "node"];

/**
 * A running Tessera app: `GET /me` answers `{ data, id }`, `POST /logout`
 * destroys, `POST /touch` writes a key, `GET /header-client` answers as
 * `/me` after making the client a header client (`useHeaderToken`), and
 * `GET /boom` throws (the framework's error page answers, status 500).
 */
export interface TesseraApp {
  readonly url: string;
  readonly manager: SessionManager<Data>;
  close(): Promise<void>;
}

function routes(session: Session<Data>, method: string, path: string): { status: number; body: unknown } | Promise<{ status: number; body: unknown }> {
  if (method === "GET" && path === "/me") return { status: 200, body: { data: session.data, id: session.id ?? null } };
  if (method === "GET" && path === "/header-client") {
    session.useHeaderToken();
    return { status: 200, body: { data: session.data, id: session.id ?? null } };
  }
  if (method === "GET" && path === "/boom") throw new Error("the route failed");
  if (method === "POST" && path === "/logout") return session.destroy().then(() => ({ status: 200, body: { ok: true } }));
  if (method === "POST" && path === "/touch") {
    session.data.touched = (Number(session.data.touched) || 0) + 1;
    return { status: 200, body: { ok: true } };
  }
  return { status: 404, body: {} };
}

async function listenServer(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Starts the Tessera app for `framework` on the given Redis client, migrating with `migrate`. */
export async function startTesseraApp(
  framework: Framework,
  client: Redis,
  migrate: LegacySessionSource,
  options: Partial<SessionManagerOptions> = {},
): Promise<TesseraApp> {
  const manager = createSessionManager<Data>({
    store: redisStore({ client, prefix: TESSERA_PREFIX }),
    secrets: [TESSERA_SECRET],
    migrate,
    ...options,
  });
  if (framework === "express") {
    const app = express();
    const tessera = expressSession(manager);
    app.use(tessera);
    app.use(async (req, res) => {
      const answer = await routes(tessera.session(req), req.method, req.path);
      res.status(answer.status).json(answer.body);
    });
    app.use(((error, _req, res, _next) => void res.status((error as { status?: number }).status ?? 500).json({ code: (error as { code?: string }).code })) as express.ErrorRequestHandler);
    const server = http.createServer(app);
    const url = await listenServer(server);
    return { url, manager, close: () => closeServer(server) };
  }
  if (framework === "fastify") {
    const app = Fastify();
    const tessera = fastifySession(manager);
    await app.register(tessera);
    app.all("/*", async (request, reply) => {
      const answer = await routes(tessera.session(request), request.method, request.url.split("?")[0]!);
      return reply.status(answer.status).send(answer.body);
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, manager, close: () => app.close() };
  }
  if (framework === "hono") {
    const app = new Hono();
    app.use(honoSession(manager));
    app.all("*", async (c) => {
      const answer = await routes(c.get("session") as Session<Data>, c.req.method, c.req.path);
      return c.json(answer.body, answer.status as ContentfulStatusCode);
    });
    app.onError((_error, c) => c.text("Internal Server Error", 500));
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    const url = await listenServer(server);
    return { url, manager, close: () => closeServer(server) };
  }
  if (framework === "node") {
    const tessera = nodeSession(manager);
    const server = http.createServer(
      tessera.handler(async (req, res, session) => {
        const answer = await routes(session, req.method ?? "GET", new URL(req.url ?? "/", "http://localhost").pathname);
        res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
      }),
    );
    const url = await listenServer(server);
    return { url, manager, close: () => closeServer(server) };
  }
  const app = new Koa();
  app.silent = true;
  const tessera = koaSession(manager);
  app.use(tessera);
  app.use(async (ctx) => {
    const answer = await routes(tessera.session(ctx), ctx.method, ctx.path);
    ctx.status = answer.status;
    ctx.body = answer.body;
  });
  const server = http.createServer(app.callback());
  const url = await listenServer(server);
  return { url, manager, close: () => closeServer(server) };
}

/** Tessera session records on the Redis (the test's private server). */
export async function tesseraSessionKeys(client: Redis): Promise<string[]> {
  return (await client.keys(`${TESSERA_PREFIX}s:*`)).sort();
}

/** The Cookie header a browser holding only these jar entries would send. */
export function cookieHeaderOf(jar: ReadonlyMap<string, string>, names: readonly string[]): string {
  return names.map((name) => `${name}=${jar.get(name)}`).join("; ");
}

/** The Set-Cookie lines of a response that clear `name`. */
export function clears(setCookies: readonly string[], name: string): boolean {
  return setCookies.some((line) => line.startsWith(`${name}=;`) && /expires=thu, 01 jan 1970/i.test(line));
}

/** The `tessera-session` cookie value a response set, if any. */
export function tesseraCookie(setCookies: readonly string[]): string | undefined {
  const line = setCookies.find((l) => l.startsWith("tessera=") && !l.startsWith("tessera=;"));
  return line?.slice("tessera=".length, line.indexOf(";"));
}

/** A fresh cookie client holding only the given cookies. */
export function browserWith(url: string, cookies: ReadonlyMap<string, string>): CookieClient {
  const browser = new CookieClient(url);
  for (const [name, value] of cookies) browser.jar.set(name, value);
  return browser;
}

/** Asserts a `/me` body holds `expected` data. */
export function assertData(body: string, expected: Data): void {
  const parsed = JSON.parse(body) as { data: Data };
  assert.deepEqual(parsed.data, expected);
}

/**
 * Asserts the migration removed the old record: at once its expiry is at
 * most the grace window (the claim, sent with the create), and the removal,
 * sent after the create without holding up the response, lands soon after.
 */
export async function assertOldRecordRemoved(client: Redis, key: string, graceMs = 60_000): Promise<void> {
  const ttl = await client.pttl(key);
  assert.ok(ttl === -2 || (ttl > 0 && ttl <= graceMs), `old record's TTL ${ttl}`);
  await waitFor(`removal of ${key}`, async () => ((await client.exists(key)) === 0 ? true : undefined), { timeoutMs: 5000, intervalMs: 10 });
}
