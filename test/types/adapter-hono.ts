import { Hono } from "hono";
import { createSessionManager } from "tessera-session";
import { honoSession, type HonoSessionEnv } from "tessera-session/hono";
import { memoryStore } from "tessera-session/memory";
import type { CartData } from "./support/session-data.js";

// App-wide SessionData: c.get("session") is typed through ContextVariableMap.
const app = new Hono();
app.use(honoSession(createSessionManager({ store: memoryStore() }), { trustProxy: true }));
app.get("/", (c) => {
  const session = c.get("session");
  const username: string | undefined = session.data.username;
  // @ts-expect-error username is a string
  session.data.username = ["ada"];
  // @ts-expect-error not a declared key
  session.data.nope = true;
  return c.text(username ?? "stranger");
});

// A generic manager: type the app's Variables with HonoSessionEnv<D>.
const cartApp = new Hono<HonoSessionEnv<CartData>>();
cartApp.use(honoSession(createSessionManager<CartData>({ store: memoryStore() })));
cartApp.get("/cart", (c) => {
  const items = c.get("session").data.items ?? [];
  // @ts-expect-error qty is a number
  items.push({ sku: "b", qty: "2" });
  return c.json(items);
});

// @ts-expect-error unknown option
honoSession(createSessionManager({ store: memoryStore() }), { trustProxies: true });

// Per-route store outage policy: a policy, or a function of c that returns one.
honoSession(createSessionManager({ store: memoryStore() }), { storeOutage: (c) => (c.req.path === "/" ? "anonymous" : "fail") });
// @ts-expect-error not a store outage policy
honoSession(createSessionManager({ store: memoryStore() }), { storeOutage: "ignore" });

// The middleware's own typed accessor, by its manager's data type, on an app typed app-wide.
const carts = honoSession(createSessionManager<CartData>({ store: memoryStore() }));
app.use(carts);
app.get("/carts", (c) => {
  // @ts-expect-error qty is a number
  carts.session(c).data.items?.push({ sku: "b", qty: "2" });
  return c.json(carts.session(c).data.items ?? []);
});
