/**
 * A quick req/s ratio of each Tessera adapter to its bare framework, in the
 * same run: an authenticated read (1 Redis command) and a write on every
 * request (2 commands), against a private redis-server on loopback.
 * Not a benchmark harness: short runs, for a rough number.
 *
 *   npm run build && AUTOCANNON=/path/to/autocannon tsx bench/adapter-ratios.ts [seconds]
 */
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { promisify } from "node:util";
import { createAdaptorServer } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { Redis } from "ioredis";
import Koa from "koa";
import { createSessionManager, type SessionManager } from "tessera";
import { expressSession } from "tessera/express";
import { fastifySession } from "tessera/fastify";
import { honoSession } from "tessera/hono";
import { koaSession } from "tessera/koa";
import { nodeSession } from "tessera/node";
import { redisStore } from "tessera/redis";
import { listenOnLoopback, type ServedApp } from "tessera/testing";
import { startRedisServer } from "../test/support/redis-server.js";

type Data = { username: string; n: number };
type Handler = (session: { data: Partial<Data> } | undefined, path: string) => string;

// The same work with or without a session: greet (read) or count (write).
const respond: Handler = (session, path) => {
  if (!session) return "hello ada";
  if (path === "/w") session.data.n = (session.data.n ?? 0) + 1;
  return `hello ${session.data.username}`;
};

type Build = (manager: SessionManager<Data> | undefined) => Promise<ServedApp>;
const frameworks: Record<string, Build> = {
  express: async (manager) => {
    const app = express();
    const tessera = manager && expressSession(manager);
    if (tessera) app.use(tessera);
    app.get(["/r", "/w", "/login"], (req, res) => {
      if (req.path === "/login" && tessera) tessera.session(req).data.username = "ada";
      res.send(respond(tessera?.session(req), req.path));
    });
    return listenOnLoopback(createServer(app));
  },
  fastify: async (manager) => {
    const app = Fastify();
    const tessera = manager && fastifySession(manager);
    if (tessera) await app.register(tessera);
    for (const path of ["/r", "/w", "/login"]) {
      app.get(path, async (request) => {
        if (path === "/login" && tessera) tessera.session(request).data.username = "ada";
        return respond(tessera?.session(request), path);
      });
    }
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    return { url, close: () => app.close() };
  },
  koa: async (manager) => {
    const app = new Koa();
    const tessera = manager && koaSession(manager);
    if (tessera) app.use(tessera);
    app.use((ctx) => {
      if (ctx.path === "/login" && tessera) tessera.session(ctx).data.username = "ada";
      ctx.body = respond(tessera?.session(ctx), ctx.path);
    });
    return listenOnLoopback(createServer(app.callback()));
  },
  hono: async (manager) => {
    const app = new Hono();
    if (manager) app.use(honoSession(manager));
    app.get("*", (c) => {
      const session = manager ? (c.get("session") as unknown as { data: Partial<Data> }) : undefined;
      if (c.req.path === "/login" && session) session.data.username = "ada";
      return c.text(respond(session, c.req.path));
    });
    return listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
  },
  node: async (manager) => {
    const tessera = manager && nodeSession(manager);
    const handle = (req: { url?: string }, res: { end(text: string): void }, session?: { data: Partial<Data> }) => {
      if (req.url === "/login" && session) session.data.username = "ada";
      res.end(respond(session, req.url ?? "/"));
    };
    return listenOnLoopback(createServer(tessera ? tessera.handler(handle) : (req, res) => handle(req, res)));
  },
};

const run = promisify(execFile);
const seconds = Number(process.argv[2] ?? 3);
const autocannon = process.env.AUTOCANNON ?? "autocannon";

async function reqPerSec(url: string, cookie: string | undefined): Promise<number> {
  const args = ["-c", "10", "-d", String(seconds), "--json", ...(cookie ? ["-H", `cookie=${cookie}`] : []), url];
  const { stdout } = await run(autocannon, args, { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout) as { requests: { average: number }; non2xx: number };
  if (result.non2xx > 0) throw new Error(`${url}: ${result.non2xx} non-2xx responses`);
  return result.requests.average;
}

const redis = await startRedisServer();
const client = new Redis(redis.url);
try {
  const manager = createSessionManager<Data>({ store: redisStore({ client, prefix: "bench:" }) });
  console.log(`framework  bare r/s  read r/s  write r/s  read×  write×   (${seconds} s runs, 10 connections)`);
  for (const [name, build] of Object.entries(frameworks)) {
    const bare = await build(undefined);
    const withSessions = await build(manager);
    try {
      const login = await fetch(`${withSessions.url}/login`);
      const cookie = login.headers.getSetCookie()[0]?.split(";")[0];
      if (!cookie) throw new Error(`${name}: login set no cookie`);
      const bareRps = await reqPerSec(`${bare.url}/r`, undefined);
      const readRps = await reqPerSec(`${withSessions.url}/r`, cookie);
      const writeRps = await reqPerSec(`${withSessions.url}/w`, cookie);
      console.log(
        `${name.padEnd(9)} ${bareRps.toFixed(0).padStart(9)} ${readRps.toFixed(0).padStart(9)} ${writeRps.toFixed(0).padStart(10)}  ${(readRps / bareRps).toFixed(2)}   ${(writeRps / bareRps).toFixed(2)}`,
      );
    } finally {
      await bare.close();
      await withSessions.close();
    }
  }
} finally {
  client.disconnect();
  await redis.close();
}
