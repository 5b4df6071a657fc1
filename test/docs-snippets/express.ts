/**
 * Snippet context `express`: an Express app with `expressSession(sessions)`
 * installed, and the `req`/`res` of a handler, for fragments that show a
 * line or two of a route (`<!-- snippet: express -->`). Combine with
 * `sessions` for the manager.
 */
import type { Express, Request, Response } from "express";
import type {} from "tessera/express";

declare global {
  /** `express()` with `app.use(expressSession(sessions))` */
  const app: Express;
  /** the request of the handler a fragment is part of */
  const req: Request;
  /** the response of that handler */
  const res: Response;
}
