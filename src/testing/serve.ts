import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** An app under test, listening on a loopback port. */
export interface ServedApp {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/**
 * Starts a `node:http` server on 127.0.0.1, port 0 (a free port the OS
 * picks), and returns its URL and a `close()` that also drops keep-alive
 * connections, so a test run never waits on idle sockets.
 *
 * @example
 * ```ts
 * const app = express();
 * const served = await listenOnLoopback(http.createServer(app));
 * await fetch(`${served.url}/whoami`);
 * await served.close();
 * ```
 */
export function listenOnLoopback(server: Server): Promise<ServedApp> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
