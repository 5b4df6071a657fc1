// App instances with live sockets for the WebSocket tests: each instance is
// an Express app on its own port with its own Redis client, store and
// manager (as separate processes would have), plus a `ws` server at /live
// and a socket.io server, both bound to sessions.
import { createServer, type Server as HttpServer } from "node:http";
import { Redis } from "ioredis";
import express from "express";
import { WebSocket, WebSocketServer } from "ws";
import { Server as SocketIoServer } from "socket.io";
import { io as ioClient, type Socket as ClientSocket } from "socket.io-client";
import { createAdapter } from "@socket.io/redis-adapter";
import { createSessionManager, type SessionManager, type SessionManagerOptions, type SessionStore } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { expressSession } from "tessera-session/express";
import { wsSessions, type WsSessions } from "tessera-session/ws";
import { socketIoSessions, type SocketIoSessions } from "tessera-session/socket.io";
import { close, listen } from "./http.js";

export type Data = Record<string, unknown>;
export const PREFIX = "live:";
export const SECRET = "s".repeat(40);

/** One app instance. */
export interface LiveInstance {
  readonly name: string;
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly manager: SessionManager<Data>;
  readonly live: WsSessions<Data>;
  readonly ioLive: SocketIoSessions<Data>;
  readonly client: Redis;
  close(): Promise<void>;
}

/** Options of {@link startInstance}. */
export interface InstanceOptions {
  readonly manager?: Partial<Omit<SessionManagerOptions, "store">>;
  readonly requireSession?: boolean;
  /** Use socket.io's Redis adapter (two more connections of its own). */
  readonly ioRedisAdapter?: boolean;
  /** `false`: the store announces no session ends (and so hears none). */
  readonly announce?: boolean;
  /** A store of the instance's own instead of the Redis one (e.g. `memoryStore()`). */
  readonly store?: SessionStore;
}

/**
 * Starts an instance against the Redis at `redisUrl`. Routes: POST /login
 * (form `username`: binds and regenerates), GET /me, POST /logout, POST
 * /revoke (form `id`), POST /revoke-all (form `except`?), GET /relogin
 * (regenerate only), GET /set?key=&value= (a JSON value). Sockets: `ws` at /live (replies to "ping" with "pong",
 * to "set:<key>:<json>" by updating the session and answering "ok" or the
 * error code), socket.io on its default path (event "set").
 */
export async function startInstance(name: string, redisUrl: string, options: InstanceOptions = {}): Promise<LiveInstance> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const manager = createSessionManager<Data>({
    store: options.store ?? redisStore({ client, prefix: PREFIX, announceSessionEnds: options.announce ?? true }),
    secrets: [SECRET],
    storeTimeoutMs: 500,
    ...options.manager,
  });
  const tessera = expressSession(manager);
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(tessera);
  app.use((_req, res, next) => {
    res.set("x-served-by", name);
    next();
  });
  app.post("/login", async (req, res) => {
    const session = tessera.session(req);
    const username = String((req.body as Record<string, string>).username);
    await session.bindUser(username, { label: `test on ${name}` });
    session.data.username = username;
    await session.commit();
    res.json({ id: session.id });
  });
  app.get("/me", (req, res) => {
    const session = tessera.session(req);
    res.json({ id: session.id ?? null, data: session.data, expiresAt: session.expiresAt ?? null });
  });
  app.get("/set", (req, res) => {
    const { key, value } = req.query as Record<string, string>;
    tessera.session(req).data[key!] = JSON.parse(value ?? "null");
    res.json({ ok: true });
  });
  app.get("/relogin", async (req, res) => {
    const session = tessera.session(req);
    await session.regenerate();
    await session.commit();
    res.json({ id: session.id });
  });
  app.post("/logout", async (req, res) => {
    await tessera.session(req).destroy();
    res.json({ ok: true });
  });
  app.post("/revoke", async (req, res) => {
    res.json({ revoked: await manager.revokeSession(String((req.body as Record<string, string>).id)) });
  });
  app.post("/revoke-all", async (req, res) => {
    const session = tessera.session(req);
    const except = (req.body as Record<string, string>).except;
    res.json({ revoked: await manager.revokeUserSessions(session.userId!, except === undefined ? {} : { exceptId: except }) });
  });

  const server: HttpServer = createServer(app);
  const wss = new WebSocketServer({ noServer: true });
  const live = wsSessions(manager, { requireSession: options.requireSession ?? true });
  server.on("upgrade", (request, socket, head) => {
    if (!request.url?.startsWith("/live")) return; // socket.io's own upgrades
    void live.handleUpgrade(wss, request, socket, head, (ws) => {
      ws.on("message", (raw) => {
        const text = String(raw);
        if (text === "ping") return ws.send("pong");
        const match = /^set:([^:]+):(.*)$/.exec(text);
        if (!match) return;
        live.update(ws, (session) => void (session.data[match[1]!] = JSON.parse(match[2]!))).then(
          () => ws.send("ok"),
          (error: { code?: string }) => ws.send(`error:${error.code ?? "unknown"}`),
        );
      });
    });
  });

  const io = new SocketIoServer(server);
  const adapterClients: Redis[] = [];
  if (options.ioRedisAdapter) {
    const pub = new Redis(redisUrl);
    const sub = pub.duplicate();
    adapterClients.push(pub, sub);
    io.adapter(createAdapter(pub, sub));
  }
  const ioLive = socketIoSessions(manager, { requireSession: options.requireSession ?? true });
  io.use(ioLive.middleware);
  io.on("connection", (socket) => {
    socket.on("set", (key: string, value: unknown, ack: (answer: string) => void) => {
      ioLive.update(socket, (session) => void (session.data[key] = value)).then(
        () => ack("ok"),
        (error: { code?: string }) => ack(`error:${error.code ?? "unknown"}`),
      );
    });
    socket.on("broadcast", (text: string) => io.emit("news", text));
  });

  const baseUrl = await listen(server);
  return {
    name,
    baseUrl,
    wsUrl: baseUrl.replace("http:", "ws:") + "/live",
    manager,
    live,
    ioLive,
    client,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await close(server).catch(() => undefined);
      await live.close();
      await ioLive.close();
      for (const c of adapterClients) c.disconnect();
      client.disconnect();
    },
  };
}

/** How a socket ended: its close code and reason, and when (epoch ms). */
export interface Closed {
  readonly code: number;
  readonly reason: string;
  readonly at: number;
}

/** A `ws` client, open, with a promise of its close. */
export interface OpenSocket {
  readonly ws: WebSocket;
  readonly closed: Promise<Closed>;
  /** Sends a text and resolves to the next message. */
  ask(text: string): Promise<string>;
}

/** Opens a `ws` client with the cookie header; rejects with the HTTP status when refused. */
export function openSocket(url: string, cookie: string | undefined): Promise<OpenSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: cookie === undefined ? {} : { cookie } });
    const closed = new Promise<Closed>((done) => ws.once("close", (code, reason) => done({ code, reason: String(reason), at: Date.now() })));
    ws.once("unexpected-response", (_request, response) => {
      reject(Object.assign(new Error(`refused with ${response.statusCode}`), { status: response.statusCode }));
      response.resume();
    });
    ws.once("error", reject);
    ws.once("open", () =>
      resolve({
        ws,
        closed,
        ask: (text) =>
          new Promise<string>((answer) => {
            ws.once("message", (data) => answer(String(data)));
            ws.send(text);
          }),
      }),
    );
  });
}

/** A socket.io client with the cookie header, connected; rejects with the `connect_error`. */
export function openIo(baseUrl: string, cookie: string | undefined): Promise<ClientSocket> {
  return new Promise((resolve, reject) => {
    const socket = ioClient(baseUrl, {
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: cookie === undefined ? {} : { cookie },
    });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Rejects after `ms`: the generous bound of an event that must happen ("before 5 s"), not a timing assertion. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
