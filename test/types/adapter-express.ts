import express from "express";
import { createSessionManager } from "tessera-session";
import { expressSession } from "tessera-session/express";
import { memoryStore } from "tessera-session/memory";
import type { CartData } from "./support/session-data.js";

// App-wide SessionData: req.session is typed in every handler.
const app = express();
app.use(expressSession(createSessionManager({ store: memoryStore() })));
app.get("/", (req, res) => {
  const username: string | undefined = req.session.data.username;
  // @ts-expect-error username is a string
  req.session.data.username = 42;
  res.send(username ?? "stranger");
});

// A generic manager: the middleware's accessor carries its type.
const carts = expressSession(createSessionManager<CartData>({ store: memoryStore() }));
app.get("/cart", (req, res) => {
  const items = carts.session(req).data.items ?? [];
  // @ts-expect-error qty is a number
  items.push({ sku: "b", qty: "2" });
  res.json(items);
});

// Per-route store outage policy: a policy, or a function of req that returns one.
expressSession(createSessionManager({ store: memoryStore() }), { storeOutage: (req) => (req.path === "/" ? "anonymous" : undefined) });
// @ts-expect-error not a store outage policy
expressSession(createSessionManager({ store: memoryStore() }), { storeOutage: "ignore" });
