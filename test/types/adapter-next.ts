import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { nextSessions } from "tessera-session/next";
import type { CartData } from "./support/session-data.js";

// App-wide SessionData: typed in route handlers, server actions and server components.
const tessera = nextSessions(createSessionManager({ store: memoryStore() }), { storeOutage: "fail" });
export const GET = tessera.route((_request, session, context: { params: Promise<{ id: string }> }) => {
  const username: string | undefined = session.data.username;
  // @ts-expect-error username is a string
  session.data.username = 1;
  void context.params;
  return new Response(username ?? "stranger");
});
export const rename = tessera.action(async (session, form: FormData) => {
  session.data.username = String(form.get("username"));
  return session.data.username;
});
const renamed: Promise<string> = rename(new FormData());
void renamed;
export async function greeting(): Promise<string> {
  const session = await tessera.getSession({ storeOutage: "anonymous" });
  return session.data.username ?? "stranger";
}

// A generic manager: Session<CartData> everywhere.
const carts = nextSessions(createSessionManager<CartData>({ store: memoryStore() }));
export const POST = carts.route((_request, session) => {
  // @ts-expect-error not a declared key
  session.data.username = "ada";
  return Response.json(session.data.items ?? []);
});
// @ts-expect-error a route must answer a Response
carts.route(() => "text");
// @ts-expect-error not a store outage policy
nextSessions(createSessionManager({ store: memoryStore() }), { storeOutage: "ignore" });
