import Fastify from "fastify";
import { createSessionManager } from "tessera-session";
import { fastifySession } from "tessera-session/fastify";
import { memoryStore } from "tessera-session/memory";
import type { CartData } from "./support/session-data.js";

const app = Fastify();

// App-wide SessionData: request.session is typed in every handler.
await app.register(fastifySession(createSessionManager({ store: memoryStore() })));
app.get("/", async (request) => {
  const username: string | undefined = request.session.data.username;
  request.session.data.visits = (request.session.data.visits ?? 0) + 1;
  // @ts-expect-error username is a string
  request.session.data.username = 42;
  // @ts-expect-error not a declared key
  request.session.data.nope = true;
  await request.session.regenerate();
  return username ?? "stranger";
});

// A generic manager: the plugin's accessor carries its type.
const carts = fastifySession(createSessionManager<CartData>({ store: memoryStore() }));
app.get("/cart", async (request) => {
  const items = carts.session(request).data.items ?? [];
  items.push({ sku: "a", qty: 1 });
  // @ts-expect-error qty is a number
  items.push({ sku: "b", qty: "2" });
  return items;
});

// @ts-expect-error the plugin needs a session manager
fastifySession({ store: memoryStore() });

// Per-route store outage policy: the plugin's option (a policy, or a function
// of request) and a route's config.tesseraStoreOutage.
fastifySession(createSessionManager({ store: memoryStore() }), { storeOutage: (request) => (request.url === "/" ? "anonymous" : "fail") });
app.get("/public", { config: { tesseraStoreOutage: "anonymous" } }, async () => "ok");
// @ts-expect-error not a store outage policy
app.get("/typo", { config: { tesseraStoreOutage: "anonymus" } }, async () => "ok");
