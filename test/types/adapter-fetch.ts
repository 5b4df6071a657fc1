import { createSessionManager } from "tessera-session";
import { fetchSessions, withSession } from "tessera-session/fetch";
import { memoryStore } from "tessera-session/memory";
import type { CartData } from "./support/session-data.js";

// App-wide SessionData: the manager's default type reaches the handler.
export const handler = withSession(createSessionManager({ store: memoryStore() }), (_request, session) => {
  const username: string | undefined = session.data.username;
  // @ts-expect-error username is a string
  session.data.username = 1;
  return new Response(username ?? "stranger");
});
const answered: Promise<Response> = handler(new Request("http://127.0.0.1/"));
void answered;

// A generic manager: load returns Session<CartData>; extra runtime arguments pass through, typed.
const carts = fetchSessions(createSessionManager<CartData>({ store: memoryStore() }), { trustProxy: 1 });
export const withInfo = carts.handler<[{ remoteAddr: string }]>(
  (_request, session, info) => {
    const items = session.data.items ?? [];
    // @ts-expect-error not a declared key
    session.data.username = "ada";
    return Response.json({ items, from: info.remoteAddr });
  },
  (_request, info) => info.remoteAddr,
);
export async function load(request: Request): Promise<Response> {
  const session = await carts.load(request);
  return carts.commit(session, new Response(String(session.data.items?.length ?? 0)));
}

// @ts-expect-error a handler must answer a Response
withSession(createSessionManager({ store: memoryStore() }), () => "text");
// Per-route store outage policy: a policy, or a function of the Request.
fetchSessions(createSessionManager({ store: memoryStore() }), { storeOutage: (request) => (request.method === "GET" ? "anonymous" : "fail") });
// @ts-expect-error not a store outage policy
fetchSessions(createSessionManager({ store: memoryStore() }), { storeOutage: "ignore" });
