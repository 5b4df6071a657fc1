import http from "node:http";
import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { nodeSession } from "tessera-session/node";
import type { CartData } from "./support/session-data.js";

// App-wide SessionData: the manager's default type reaches the handler.
const tessera = nodeSession(createSessionManager({ store: memoryStore() }), { trustProxy: true });
http.createServer(
  tessera.handler(async (_req, res, session) => {
    const username: string | undefined = session.data.username;
    // @ts-expect-error username is a string
    session.data.username = 1;
    res.end(username ?? "stranger");
  }),
);

// A generic manager: forRequest returns Session<CartData>.
const carts = nodeSession(createSessionManager<CartData>({ store: memoryStore() }));
http.createServer(async (req, res) => {
  const session = await carts.forRequest(req, res);
  const items = session.data.items ?? [];
  // @ts-expect-error not a declared key
  session.data.username = "ada";
  res.end(JSON.stringify(items));
});

// @ts-expect-error a handler gets (req, res, session)
tessera.handler((_req: http.IncomingMessage, _res: http.ServerResponse, session: string) => session);

// Per-route store outage policy: a policy, or a function of req that returns one.
nodeSession(createSessionManager({ store: memoryStore() }), { storeOutage: (req) => (req.url === "/" ? "anonymous" : "fail") });
// @ts-expect-error not a store outage policy
nodeSession(createSessionManager({ store: memoryStore() }), { storeOutage: "ignore" });
