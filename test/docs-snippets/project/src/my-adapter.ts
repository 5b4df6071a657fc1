// The adapter that docs/frameworks.md's adapter example tests: a stand-in
// with the shape of a real one (see test/docs-snippets/my-framework.ts).
import type { Middleware } from "my-framework";
import type { Session, SessionManager } from "tessera-session";
import type { ConformanceData } from "tessera-session/testing";

declare module "my-framework" {
  interface MyRequest {
    session: Session<ConformanceData>;
  }
}

/**
 * Loads the session before the route and commits it after.
 *
 * @example
 * ```ts
 * app.use(mySession(manager)); // then req.session in every route
 * ```
 */
export function mySession(manager: SessionManager<ConformanceData>): Middleware {
  return async (req, _res, next) => {
    req.session = await manager.load({ cookieHeader: req.headers.cookie, secure: req.headers["x-forwarded-proto"] === "https" });
    await next();
    await manager.commit(req.session);
  };
}
