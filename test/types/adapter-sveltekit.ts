import type { Actions, RequestHandler, ServerLoad } from "@sveltejs/kit";
import { sequence } from "@sveltejs/kit/hooks";
import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { sveltekitCsrf, sveltekitSession } from "tessera-session/sveltekit";
import type { CartData } from "./support/session-data.js";

// App-wide SessionData: event.locals.session is typed through App.Locals, in
// hooks, load functions, form actions and endpoints alike.
export const handle = sequence(sveltekitSession(createSessionManager({ store: memoryStore() }), { trustProxy: "loopback" }), sveltekitCsrf());

export const load: ServerLoad = ({ locals }) => {
  const username: string | undefined = locals.session.data.username;
  // @ts-expect-error visits is a number
  locals.session.data.visits = "1";
  // @ts-expect-error not a declared key
  locals.session.data.nope = true;
  return { username };
};

export const actions: Actions = {
  default: async ({ locals }) => {
    await locals.session.regenerate();
    locals.session.data.username = "ada";
    // @ts-expect-error username is a string
    locals.session.data.username = ["ada"];
  },
};

export const GET: RequestHandler = ({ locals }) => new Response(String(locals.session.data.visits ?? 0));

// A generic manager: the hook's typed accessor.
const cart = sveltekitSession(createSessionManager<CartData>({ store: memoryStore() }));
export const cartLoad: ServerLoad = (event) => {
  const items = cart.session(event).data.items ?? [];
  // @ts-expect-error qty is a number
  items.push({ sku: "b", qty: "2" });
  return { items };
};

// @ts-expect-error unknown option
sveltekitSession(createSessionManager({ store: memoryStore() }), { trustProxies: true });
// Per-route store outage policy: a policy, or a function of the event.
sveltekitSession(createSessionManager({ store: memoryStore() }), { storeOutage: (event) => (event.url.pathname === "/" ? "anonymous" : "fail") });
// @ts-expect-error not a store outage policy
sveltekitSession(createSessionManager({ store: memoryStore() }), { storeOutage: "ignore" });
// The store error page: a Response from the error and the event.
sveltekitSession(createSessionManager({ store: memoryStore() }), { onStoreError: (error, event) => new Response(`${error.code} at ${event.url.pathname}`, { status: 503 }) });
