/**
 * The conformance app's middleware: the test process hands each server's
 * manager over in the locals of @astrojs/node's handler
 * (test/support/astro.ts), and this runs the real `astroSession` for it.
 * Locals that also carry a first manager run both managers' middleware,
 * in `sequence()` as an app would.
 */
import type { MiddlewareHandler } from "astro";
import { sequence } from "astro:middleware";
import type { SessionManager } from "tessera-session";
import { astroSession, type AstroSessionMiddleware } from "tessera-session/astro";
import type { ConformanceData } from "tessera-session/testing";

type Manager = SessionManager<ConformanceData>;
type Middleware = AstroSessionMiddleware<ConformanceData>;

const middlewares = new WeakMap<Manager, Middleware>();
const middlewareOf = (manager: Manager): Middleware => {
  let middleware = middlewares.get(manager);
  if (middleware === undefined) middlewares.set(manager, (middleware = astroSession(manager, { trustProxy: "loopback" })));
  return middleware;
};

export const onRequest: MiddlewareHandler = (context, next) => {
  const locals = context.locals as { tesseraManager?: Manager; tesseraFirstManager?: Manager; twoManagers?: { first: Middleware; last: Middleware } };
  if (locals.tesseraManager === undefined) throw new Error("conformance app: start it through test/support/astro.ts, which hands over the manager");
  if (locals.tesseraFirstManager === undefined) return middlewareOf(locals.tesseraManager)(context, next);
  // The two-managers page reads each session through its middleware's own accessor.
  locals.twoManagers = { first: middlewareOf(locals.tesseraFirstManager), last: middlewareOf(locals.tesseraManager) };
  return sequence(locals.twoManagers.first, locals.twoManagers.last)(context, next);
};
