/**
 * The app the chaos test runs in a child process (so a crash shows as an
 * exit, not as a dead test runner): Express on Tessera over a standalone
 * Redis. Configured by environment: REDIS_URL, REDIS_CLIENT (ioredis |
 * node-redis), STORE_TIMEOUT_MS. Prints "listening <port>" when ready.
 */
import type { AddressInfo } from "node:net";
import express, { type ErrorRequestHandler } from "express";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { createSessionManager } from "tessera-session";
import { expressSession } from "tessera-session/express";
import { redisStore } from "tessera-session/redis";

const url = process.env.REDIS_URL!;
const reconnectDelayMs = (attempt: number): number => Math.min(50 * (attempt + 1), 500);

async function connect() {
  if (process.env.REDIS_CLIENT === "node-redis") {
    // socketTimeout (with pingInterval for idle sockets) is what unblocks
    // commands already on the wire to a hung server.
    const client = createClient({ url, pingInterval: 1000, socket: { connectTimeout: 1000, socketTimeout: 3000, reconnectStrategy: reconnectDelayMs } });
    await client.connect();
    return client;
  }
  return new Redis(url, { retryStrategy: reconnectDelayMs, commandTimeout: 3000 });
}

const sessions = createSessionManager<{ user: string; views: number }>({
  store: redisStore({ client: await connect(), prefix: "chaos:" }),
  storeTimeoutMs: Number(process.env.STORE_TIMEOUT_MS ?? 1000),
});
const app = express();
// Pages that can live without a session go on anonymously during an
// outage; everything else fails fast with a 503.
const tessera = expressSession(sessions, { storeOutage: (req) => (req.path === "/public" ? "anonymous" : "fail") });
app.use(tessera);
app.post("/login", async (req, res) => {
  const session = tessera.session(req);
  await session.regenerate();
  session.data.user = String(req.query.user);
  res.json({ ok: true });
});
app.get("/page", (req, res) => {
  const session = tessera.session(req);
  session.data.views = (session.data.views ?? 0) + 1;
  res.json({ user: session.data.user ?? null });
});
app.get("/public", (req, res) => {
  const session = tessera.session(req);
  res.json({ unavailable: session.unavailable, user: session.data.user ?? null });
});
const onError: ErrorRequestHandler = (error, _req, res, _next) => {
  res.status(typeof error?.status === "number" ? error.status : 500).json({ code: error?.code ?? null });
};
app.use(onError);
const server = app.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
