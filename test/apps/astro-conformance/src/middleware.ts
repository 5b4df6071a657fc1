/**
 * The conformance app's middleware: the test process hands each server's
 * manager over in the locals of @astrojs/node's handler
 * (test/support/astro.ts), and this runs the real `astroSession` for it.
 */
import type { MiddlewareHandler } from "astro";
import type { SessionManager } from "tessera-session";
import { astroSession } from "tessera-session/astro";
import type { ConformanceData } from "tessera-session/testing";

const middlewares = new WeakMap<SessionManager<ConformanceData>, MiddlewareHandler>();

export const onRequest: MiddlewareHandler = (context, next) => {
  const manager = (context.locals as { tesseraManager?: SessionManager<ConformanceData> }).tesseraManager;
  if (manager === undefined) throw new Error("conformance app: start it through test/support/astro.ts, which hands over the manager");
  let middleware = middlewares.get(manager);
  if (middleware === undefined) middlewares.set(manager, (middleware = astroSession(manager, { trustProxy: "loopback" })));
  return middleware(context, next);
};
