/**
 * WebSocket revocation latency: how long from a revoke on instance A until
 * a socket bound to that session on instance B is closed (its client sees
 * the close), with many sockets open. Two instances in one process, each
 * with its own Redis client and store (as two processes would have), one
 * redis-server of its own on a free loopback port.
 *
 *   npm run build && tsx bench/ws-revocation.ts [--sockets=1000] [--revocations=200]
 *
 * Prints p50, p99 and max over the revocations (one at a time, each timed
 * from just before `revokeSession` is called on A to the client's close
 * event), and the number of subscriber connections Redis sees.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { WebSocket, WebSocketServer } from "ws";
import { createSessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { wsSessions, SESSION_ENDED_CLOSE_CODE } from "tessera-session/ws";

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : Number(found.slice(name.length + 3));
};
const SOCKETS = arg("sockets", 1000);
const REVOCATIONS = Math.min(arg("revocations", 200), SOCKETS);
const SECRET = "b".repeat(40);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createNetServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tessera-bench-ws-"));
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  const probe = new Redis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => undefined); // refused until the server listens
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  probe.disconnect();
  return {
    port,
    stop() {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const redis = await startRedis();
const clients: Redis[] = [];
const manager = (): ReturnType<typeof createSessionManager> => {
  const client = new Redis(redis.port, "127.0.0.1");
  clients.push(client);
  return createSessionManager({ store: redisStore({ client, prefix: "bench:" }), secrets: [SECRET] });
};
const a = manager();
const b = manager();

// Instance B serves the sockets.
const server = createServer();
const wss = new WebSocketServer({ noServer: true });
const live = wsSessions(b, { requireSession: true });
server.on("upgrade", (request, socket, head) => void live.handleUpgrade(wss, request, socket, head, () => undefined));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;

try {
  // Sessions signed in on A, each with its cookie.
  const sessions: Array<{ id: string; cookie: string }> = [];
  for (let i = 0; i < SOCKETS; i++) {
    const session = await a.load({ cookieHeader: undefined, secure: false });
    await session.bindUser(`user-${i}`);
    const setCookie = (await a.commit(session))!;
    sessions.push({ id: session.id!, cookie: setCookie.split(";")[0]! });
  }
  const sockets: Array<{ ws: WebSocket; closed: Promise<{ code: number; at: number }> }> = [];
  for (let first = 0; first < SOCKETS; first += 100) {
    const batch = sessions.slice(first, first + 100).map(
      ({ cookie }) =>
        new Promise<(typeof sockets)[number]>((resolve, reject) => {
          const ws = new WebSocket(url, { headers: { cookie } });
          const closed = new Promise<{ code: number; at: number }>((done) => ws.once("close", (code) => done({ code, at: performance.now() })));
          ws.once("open", () => resolve({ ws, closed }));
          ws.once("error", reject);
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  console.log(`${sockets.length} sockets open on B (${live.size} bound)`);

  const latencies: number[] = [];
  for (let i = 0; i < REVOCATIONS; i++) {
    const started = performance.now();
    await a.revokeSession(sessions[i]!.id);
    const closed = await Promise.race([sockets[i]!.closed, new Promise<undefined>((r) => setTimeout(r, 10_000))]);
    if (closed === undefined || closed.code !== SESSION_ENDED_CLOSE_CODE) throw new Error(`socket ${i} was not closed with ${SESSION_ENDED_CLOSE_CODE}`);
    latencies.push(closed.at - started);
  }
  latencies.sort((x, y) => x - y);
  const probe = new Redis(redis.port, "127.0.0.1");
  const pubsub = String(await probe.call("CLIENT", "LIST", "TYPE", "pubsub")).split("\n").filter((line) => / s?sub=[1-9]/.test(line)).length;
  probe.disconnect();
  const ms = (value: number): string => `${value.toFixed(2)} ms`;
  console.log(`revocations: ${latencies.length}, open sockets at the start: ${SOCKETS}`);
  console.log(`revoke on A -> close seen by B's client: p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1)!)}`);
  console.log(`subscriber connections in Redis: ${pubsub} (one instance subscribes: B; A only publishes)`);
  for (const { ws } of sockets) ws.terminate();
} finally {
  await live.close();
  server.closeAllConnections();
  server.close();
  for (const client of clients) client.disconnect();
  redis.stop();
}
