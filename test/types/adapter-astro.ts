import type { APIRoute, MiddlewareHandler } from "astro";
import { createSessionManager } from "tessera-session";
import { astroCsrf, astroSession } from "tessera-session/astro";
import { memoryStore } from "tessera-session/memory";
import type { CartData } from "./support/session-data.js";

// App-wide SessionData: context.locals.session (Astro.locals.session in pages) is typed through App.Locals.
export const onRequest: MiddlewareHandler = astroSession(createSessionManager({ store: memoryStore() }), { trustProxy: 1 });
export const csrf: MiddlewareHandler = astroCsrf({ trustProxy: 1 });

export const POST: APIRoute = async ({ locals, redirect }) => {
  await locals.session.regenerate();
  locals.session.data.username = "ada";
  // @ts-expect-error username is a string
  locals.session.data.username = ["ada"];
  // @ts-expect-error not a declared key
  locals.session.data.nope = true;
  return redirect("/", 303);
};

export const GET: APIRoute = ({ locals }) => {
  const visits: number | undefined = locals.session.data.visits;
  return new Response(String(visits ?? 0));
};

// A generic manager: the middleware's typed accessor.
const cart = astroSession(createSessionManager<CartData>({ store: memoryStore() }));
export const cartRoute: APIRoute = (context) => {
  const items = cart.session(context).data.items ?? [];
  // @ts-expect-error qty is a number
  items.push({ sku: "b", qty: "2" });
  return Response.json(items);
};

// @ts-expect-error unknown option
astroSession(createSessionManager({ store: memoryStore() }), { trustProxies: true });
// Per-route store outage policy: a policy, or a function of the context.
astroSession(createSessionManager({ store: memoryStore() }), { storeOutage: (context) => (context.url.pathname === "/" ? "anonymous" : "fail") });
// @ts-expect-error not a store outage policy
astroSession(createSessionManager({ store: memoryStore() }), { storeOutage: "ignore" });
