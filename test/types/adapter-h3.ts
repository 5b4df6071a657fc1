import { createApp, defineEventHandler } from "h3";
import { createSessionManager } from "tessera-session";
import { eventSession, h3Session } from "tessera-session/h3";
import { memoryStore } from "tessera-session/memory";
import type { CartData } from "./support/session-data.js";

// App-wide SessionData: event.context.session is typed through H3EventContext
// (in a Nuxt server route as in a bare h3 app).
const app = createApp();
app.use(h3Session(createSessionManager({ store: memoryStore() }), { trustProxy: "loopback" }));
app.use(
  "/",
  defineEventHandler((event) => {
    const session = event.context.session;
    const username: string | undefined = session.data.username;
    // @ts-expect-error username is a string
    session.data.username = ["ada"];
    // @ts-expect-error not a declared key
    session.data.nope = true;
    return username ?? "stranger";
  }),
);

// A generic manager: the middleware's own tessera.session(event), or eventSession<D>(event) (the shared slot).
const carts = h3Session(createSessionManager<CartData>({ store: memoryStore() }));
app.use(carts);
app.use(
  "/cart",
  defineEventHandler((event) => {
    const items = carts.session(event).data.items ?? [];
    // @ts-expect-error qty is a number
    items.push({ sku: "b", qty: "2" });
    // @ts-expect-error not a declared key of CartData
    carts.session(event).data.username = "ada";
    return eventSession<CartData>(event).data.items ?? items;
  }),
);

// @ts-expect-error unknown option
h3Session(createSessionManager({ store: memoryStore() }), { trustProxies: true });
// Per-route store outage policy: a policy, or a function of the event.
h3Session(createSessionManager({ store: memoryStore() }), { storeOutage: (event) => (event.path === "/" ? "anonymous" : "fail") });
// @ts-expect-error not a store outage policy
h3Session(createSessionManager({ store: memoryStore() }), { storeOutage: "ignore" });
