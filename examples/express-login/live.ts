/**
 * The page's live element: a WebSocket at `/live`, open while the visitor is
 * signed in, that pushes the session's visit count (counted on whichever
 * instance serves a page) every couple of seconds, and is closed by Tessera
 * with code 4401 the moment the session ends: a logout in another tab, a
 * revoke from "Your sessions" (on any instance), or expiry.
 */
import type { Server } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import type { SessionData, SessionManager } from "tessera-session";
import { SessionEndedError, wsSessions } from "tessera-session/ws";

/** How often the live element is refreshed. */
const PUSH_INTERVAL_MS = 2000;

/** What a message to the page carries. */
export interface LiveMessage {
  readonly visits: number;
  /** The instance holding this socket (not necessarily the one that served the page). */
  readonly instance: string;
}

/**
 * Serves `/live` on the app's HTTP server, for signed-in sessions only
 * (others get 401). Returns a function that stops it.
 *
 * @example
 * ```ts
 * const server = createServer(createLoginApp(options));
 * const stopLive = attachLive(server, options.sessions, options.instance);
 * ```
 */
export function attachLive(server: Server, sessions: SessionManager<SessionData>, instance: string): () => Promise<void> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const live = wsSessions(sessions, { requireSession: (session) => session.userId !== undefined });

  const push = async (ws: WebSocket): Promise<void> => {
    // A fresh read (no change, so nothing is written): visits counted on
    // any instance show up here.
    await live.update(ws, (session) => {
      const message: LiveMessage = { visits: session.data.visits ?? 0, instance };
      ws.send(JSON.stringify(message));
    });
  };

  server.on("upgrade", (request, socket, head) => {
    if (new URL(request.url ?? "/", "http://localhost").pathname !== "/live") return void socket.destroy();
    void live.handleUpgrade(wss, request, socket, head, (ws) => {
      const timer = setInterval(() => {
        push(ws).catch((error: unknown) => {
          // The session ended: Tessera is closing the socket with its reason.
          if (!(error instanceof SessionEndedError)) ws.close(1011, "session store unavailable");
        });
      }, PUSH_INTERVAL_MS);
      ws.once("close", () => clearInterval(timer));
      void push(ws).catch(() => undefined);
    });
  });

  return async () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await live.close();
  };
}
