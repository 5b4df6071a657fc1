import { RouterContextProvider, type LoaderFunctionArgs, type MiddlewareFunction } from "react-router";
import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { reactRouterSession, sessionContext, sessionOf } from "tessera-session/react-router";
import type { CartData } from "./support/session-data.js";

declare module "react-router" {
  interface Future {
    v8_middleware: true;
  }
}

// The root route's middleware.
export const middleware: MiddlewareFunction<Response>[] = [reactRouterSession(createSessionManager({ store: memoryStore() }), { trustProxy: 1 })];

// App-wide SessionData: context.get(sessionContext) is typed in loaders and actions.
export function loader({ context }: LoaderFunctionArgs) {
  const session = context.get(sessionContext);
  const username: string | undefined = session.data.username;
  // @ts-expect-error username is a string
  session.data.username = ["ada"];
  // @ts-expect-error not a declared key
  session.data.nope = true;
  return { username };
}

// A generic manager: the middleware's own carts.session(context), or sessionOf<D>(context) (the shared key).
const carts = reactRouterSession(createSessionManager<CartData>({ store: memoryStore() }));
export const cartMiddleware = [carts];
export function cartLoader({ context }: LoaderFunctionArgs) {
  const items = carts.session(context).data.items ?? [];
  // @ts-expect-error qty is a number
  items.push({ sku: "b", qty: "2" });
  // @ts-expect-error not a declared key of CartData
  carts.session(context).data.username = "ada";
  return sessionOf<CartData>(context).data.items ?? items;
}
sessionOf<CartData>(new RouterContextProvider());

// @ts-expect-error unknown option
reactRouterSession(createSessionManager({ store: memoryStore() }), { trustProxies: 1 });
// @ts-expect-error onError is the fetch entry's: React Router's error boundaries answer here
reactRouterSession(createSessionManager({ store: memoryStore() }), { onError: () => new Response() });
reactRouterSession(createSessionManager({ store: memoryStore() }), { storeOutage: (request) => (request.method === "GET" ? "anonymous" : "fail") });
