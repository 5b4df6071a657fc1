/**
 * Two managers' middleware in `sequence()` (test/adapter-astro.test.ts): a
 * POST changes the first one's session through its accessor; every request
 * answers what each accessor's session holds, and whether `locals.session`
 * is the last one's.
 */
import type { APIRoute } from "astro";
import type { AstroSessionMiddleware } from "tessera-session/astro";
import type { ConformanceData } from "tessera-session/testing";

export const ALL: APIRoute = (context) => {
  const { first, last } = (context.locals as unknown as { twoManagers: Record<"first" | "last", AstroSessionMiddleware<ConformanceData>> }).twoManagers;
  if (context.request.method === "POST") first.session(context).data.visits = 7;
  const visits = (middleware: AstroSessionMiddleware<ConformanceData>) => middleware.session(context).data.visits ?? null;
  return Response.json({ first: visits(first), last: visits(last), lastIsShared: (context.locals.session as unknown) === last.session(context) });
};
