import { createConnection, createServer, type Socket } from "node:net";

/** A loopback TCP proxy to a Redis that goes silent once a client sends a given command. */
export interface StallingProxy {
  readonly port: number;
  readonly url: string;
  /** Resolves once some client has sent the trigger (from then on nothing reaches Redis). */
  readonly stalled: Promise<void>;
  close(): Promise<void>;
}

/**
 * Forwards every connection to `targetPort` until a client's bytes contain
 * `trigger` (e.g. `"SCAN"`); from then on that client's bytes are swallowed,
 * so Redis never sees the command and never answers: a Redis that hangs in
 * the middle of a run, after the handshake went fine.
 *
 * @example
 * ```ts
 * const proxy = await stallingProxy(server.port, "SCAN");
 * await runCli(["stats", "--redis-url", proxy.url]); // hangs at the first SCAN
 * ```
 */
export async function stallingProxy(targetPort: number, trigger: string): Promise<StallingProxy> {
  const sockets = new Set<Socket>();
  let markStalled!: () => void;
  const stalled = new Promise<void>((resolve) => (markStalled = resolve));
  const server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => sockets.delete(socket));
    }
    let silent = false;
    client.on("data", (chunk: Buffer) => {
      if (!silent && chunk.toString("latin1").toUpperCase().includes(trigger.toUpperCase())) {
        silent = true;
        markStalled();
      }
      if (!silent) upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stalled,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port that accepts connections and never sends a byte back. */
export async function silentServer(): Promise<{ port: number; url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
    socket.resume(); // read and drop
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
