/**
 * Snippet context `http-server`: the app's `node:http` server (what
 * `app.listen()` or `createServer(app)` returned), for fragments that attach
 * WebSockets to it (`<!-- snippet: sessions http-server -->`).
 */
import type { Server } from "node:http";

declare global {
  /** `createServer(app)`, listening */
  const server: Server;
}
