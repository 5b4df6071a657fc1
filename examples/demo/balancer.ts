/**
 * The demo's load balancer: per-request round robin over the instances, no
 * stickiness, built on http-proxy-3 (a maintained rewrite of http-proxy).
 *
 * Why not node:cluster? Cluster hands out *connections*, and a browser sends
 * all its reloads over one kept-alive connection, so every reload would land
 * on the same instance and prove nothing. Here each request on a connection
 * picks its own target, which is what nginx and HAProxy do with round robin.
 */
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { createProxyServer } from "http-proxy-3";

/** Balancer settings. */
export interface BalancerOptions {
  /** Upstream base URLs, e.g. `http://127.0.0.1:40001`. */
  targets: string[];
  /** Port to listen on (0 = any free port). */
  port: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** How long a target that refused a connection is skipped. Default 5000 ms. */
  downForMs?: number;
}

/** A running balancer. */
export interface Balancer {
  readonly url: string;
  readonly port: number;
  /** How many requests each target was sent (attempts, including retries). */
  readonly sent: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

/** Errors that mean the request never reached a live instance. */
const UPSTREAM_DOWN_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "EHOSTUNREACH"]);

/**
 * Starts the balancer. A GET or HEAD whose instance is down is retried on
 * the next one (as nginx's `proxy_next_upstream error` does), and the dead
 * one is skipped for `downForMs`; other methods get a 502 rather than risk
 * running twice.
 *
 * @example
 * ```ts
 * const balancer = await startBalancer({ targets: ["http://127.0.0.1:40001", "http://127.0.0.1:40002"], port: 3000 });
 * // ... later
 * await balancer.close();
 * ```
 */
export async function startBalancer(options: BalancerOptions): Promise<Balancer> {
  if (options.targets.length === 0) throw new Error("startBalancer needs at least one target");
  const downForMs = options.downForMs ?? 5000;
  const host = options.host ?? "127.0.0.1";
  // Kept-alive upstream connections, as a real balancer keeps; balancing is
  // still per request because each request picks its target below.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const proxy = createProxyServer({ agent, xfwd: true, proxyTimeout: 30_000 });
  const downUntil = new Map<string, number>();
  const sent = new Map<string, number>(options.targets.map((t) => [t, 0]));
  let next = 0;

  const pickTarget = (): string => {
    const now = Date.now();
    for (let i = 0; i < options.targets.length; i++) {
      const target = options.targets[(next + i) % options.targets.length]!;
      if ((downUntil.get(target) ?? 0) <= now) {
        next = (next + i + 1) % options.targets.length;
        return target;
      }
    }
    // Everything looks down: try the next one anyway rather than refuse.
    const target = options.targets[next % options.targets.length]!;
    next = (next + 1) % options.targets.length;
    return target;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, attempt: number): void => {
    const target = pickTarget();
    sent.set(target, (sent.get(target) ?? 0) + 1);
    proxy.web(req, res, { target }, (error: Error & { code?: string }) => {
      const retryable =
        UPSTREAM_DOWN_CODES.has(error.code ?? "") &&
        (req.method === "GET" || req.method === "HEAD") &&
        !res.headersSent &&
        attempt + 1 < options.targets.length;
      if (UPSTREAM_DOWN_CODES.has(error.code ?? "")) downUntil.set(target, Date.now() + downForMs);
      if (retryable) return forward(req, res, attempt + 1);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(502, { "content-type": "text/plain; charset=utf-8", "retry-after": "1" });
      res.end(`Bad gateway: ${target} failed (${error.code ?? error.message}).\n`);
    });
  };

  const server: Server = createServer((req, res) => forward(req, res, 0));
  // WebSocket upgrades (the page's live element) take turns on a rotation
  // of their own, so that opening a socket does not shift which instance
  // answers the next page.
  let nextUpgrade = 0;
  const upgraded = new Set<Duplex>();
  // An upgraded connection's later errors (a tab closed mid-frame: ECONNRESET)
  // are emitted on the proxy, which throws them when nobody listens.
  proxy.on("error", (_error: Error, _req: unknown, socket: unknown) => {
    if (socket !== null && typeof socket === "object" && "destroy" in socket && typeof socket.destroy === "function") socket.destroy();
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const target = options.targets[nextUpgrade++ % options.targets.length]!;
    upgraded.add(socket);
    socket.once("close", () => upgraded.delete(socket));
    socket.on("error", () => socket.destroy());
    proxy.ws(req, socket, head, { target }, () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    sent,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
        agent.destroy();
        proxy.close();
      }),
  };
}
