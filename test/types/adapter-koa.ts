import Koa, { type DefaultState } from "koa";
import { createSessionManager } from "tessera-session";
import { koaSession, type KoaSessionContext } from "tessera-session/koa";
import { memoryStore } from "tessera-session/memory";
import type { CartData } from "./support/session-data.js";

// App-wide SessionData: ctx.session is typed in every middleware.
const app = new Koa();
app.use(koaSession(createSessionManager({ store: memoryStore() })));
app.use(async (ctx) => {
  const username: string | undefined = ctx.session.data.username;
  ctx.session.data.visits = (ctx.session.data.visits ?? 0) + 1;
  // @ts-expect-error visits is a number
  ctx.session.data.visits = "many";
  // @ts-expect-error not a declared key
  ctx.session.data.nope = true;
  ctx.body = username ?? "stranger";
});

// A generic manager: type the app's context with KoaSessionContext<D>.
const cartApp = new Koa<DefaultState, KoaSessionContext<CartData>>();
const carts = koaSession(createSessionManager<CartData>({ store: memoryStore() }));
cartApp.use(carts);
cartApp.use(async (ctx) => {
  const items: CartData["items"] = ctx.session.data.items ?? [];
  // @ts-expect-error sku is a string
  items.push({ sku: 1, qty: 1 });
  ctx.body = carts.session(ctx).data.items ?? [];
});

// Per-route store outage policy: a policy, or a function of ctx that returns one.
koaSession(createSessionManager({ store: memoryStore() }), { storeOutage: (ctx) => (ctx.path === "/" ? "anonymous" : "fail") });
// @ts-expect-error not a store outage policy
koaSession(createSessionManager({ store: memoryStore() }), { storeOutage: "ignore" });
