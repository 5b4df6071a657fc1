/**
 * Two managers' hooks in `sequence()` (test/adapter-sveltekit.test.ts): a
 * POST changes the first one's session through its accessor; every request
 * answers what each accessor's session holds, and whether
 * `event.locals.session` is the last one's.
 */
import { json, type RequestHandler } from "@sveltejs/kit";
import type { SvelteKitSessionHook } from "tessera-session/sveltekit";
import type { ConformanceData } from "tessera-session/testing";

const answer: RequestHandler = (event) => {
  const { first, last } = (event.locals as unknown as { twoManagers: Record<"first" | "last", SvelteKitSessionHook<ConformanceData>> }).twoManagers;
  if (event.request.method === "POST") first.session(event).data.visits = 7;
  const visits = (hook: SvelteKitSessionHook<ConformanceData>) => hook.session(event).data.visits ?? null;
  return json({ first: visits(first), last: visits(last), lastIsShared: (event.locals.session as unknown) === last.session(event) });
};

export const GET = answer;
export const POST = answer;
