/**
 * Snippet context `express`: an Express app with `expressSession(sessions)`
 * installed, and the `req`/`res` of a handler, for fragments that show a
 * line or two of a route (`<!-- snippet: express -->`). Combine with
 * `sessions` for the manager.
 */
import type { Express, Request, Response } from "express";
import type {} from "tessera-session/express";
// The app made its manager with createSessionManager, so its program holds
// "tessera" too: what a `declare module "tessera-session"` augmentation needs (an
// augmentation only merges into a module that is part of the program).
import type {} from "tessera-session";

declare global {
  /** `express()` with `app.use(expressSession(sessions))` */
  const app: Express;
  /** the request of the handler a fragment is part of */
  const req: Request;
  /** the response of that handler */
  const res: Response;
}
