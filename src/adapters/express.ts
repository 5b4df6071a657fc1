import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from "express";
import type { SessionManager } from "../core/manager.js";
import type { Session } from "../core/session.js";
import type { SessionData } from "../core/session-data.js";
import { isUnhandledError } from "./shared/failed-request.js";
import { heldSessionOf, holdResponseUntilCommitted, markHeldResponseFailed } from "./shared/hold-response.js";
import { RequestSecure } from "./shared/request-secure.js";
import { setRequestSession } from "./shared/session-property.js";
import { storeOutageChooser, type StoreOutageOption } from "./shared/store-outage.js";
import { typedSession } from "./shared/typed-session.js";

declare global {
  // Express's typing is a global namespace: augmenting it types a middleware's property on every Request.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** This request's Tessera session, typed by the app-wide `SessionData`. */
      session: Session<SessionData>;
    }
  }
}

/**
 * Options of {@link expressSession}: `storeOutage`, a policy or a function of `req`.
 *
 * @example
 * ```ts
 * app.use(expressSession(sessions, { storeOutage: (req) => (req.path.startsWith("/account") ? "fail" : "anonymous") }));
 * ```
 */
export type ExpressSessionOptions = StoreOutageOption<Request>;

/** The Express middleware, plus a typed accessor for apps that use a generic instead of `SessionData`. */
export interface ExpressSessionMiddleware<D extends object> extends RequestHandler {
  /**
   * The request's session typed with the manager's data type `D`: this
   * middleware's own, also when another manager's is mounted after it
   * (`req.session` is then the last one's).
   *
   * @example
   * ```ts
   * const tessera = expressSession(createSessionManager<{ cart: string[] }>({ store }));
   * app.use(tessera);
   * app.get("/", (req, res) => res.json(tessera.session(req).data.cart ?? []));
   * ```
   */
  session(req: Request): Session<D>;
  /**
   * Optional error middleware: mount it after your routes, before your
   * error handler, and a request whose error has no 4xx status fails (its
   * session changes are discarded) whatever status your handler answers
   * with. Without it, only a 5xx response status counts, since Express
   * shows middleware no `next(err)`.
   *
   * @example
   * ```ts
   * app.use(tessera);
   * app.post("/login", login);
   * app.use(tessera.failOnError);
   * app.use((err, req, res, next) => res.status(200).render("oops")); // still discards
   * ```
   */
  failOnError: ErrorRequestHandler;
}

/**
 * Express middleware that loads the request's session into `req.session`
 * and commits it just before the response ends: `res.end` is held until the
 * commit settles, so a client that follows a redirect at once already sees
 * the new data. Store failures go to Express's error handling as
 * `SessionStoreError` (status 503), unless the `storeOutage` option lets
 * the request go on anonymously.
 *
 * A response whose status is a 5xx when it goes out (Express's error
 * handler answers an unhandled error with 500) has its session changes
 * discarded and carries no new session cookie (see the manager's
 * `commitOnError`). Express gives middleware no sight of errors passed to
 * `next(err)`: an error handler that answers them with a 2xx-4xx commits,
 * unless `failOnError` is mounted before it.
 *
 * For streamed responses, `await req.session.commit()` before the first
 * write, so the Set-Cookie can go out with the headers.
 *
 * @example
 * ```ts
 * app.use(expressSession(sessions));
 * app.get("/", (req, res) => res.send(`Hello ${req.session.data.username ?? "stranger"}`));
 * ```
 */
export function expressSession<D extends object>(manager: SessionManager<D>, options: ExpressSessionOptions = {}): ExpressSessionMiddleware<D> {
  const storeOutageOf = storeOutageChooser<Request>(options.storeOutage, "expressSession storeOutage");
  const attach = (req: Request, res: Response, next: NextFunction, session: Session<D>, secure: RequestSecure): void => {
    setRequestSession(req, session);
    holdResponseUntilCommitted(res, session, manager, next, { onSent: () => secure.release() });
    next();
  };

  const middleware = (req: Request, res: Response, next: NextFunction): Promise<void> | undefined => {
    try {
      const secure = new RequestSecure(req); // req.secure, the trust-proxy chain, is read only if a cookie is rendered
      const loaded = manager.loadNowOrLater({ cookieHeader: req.headers.cookie, headers: req.headers, secure, storeOutage: storeOutageOf(req) });
      if (loaded instanceof Promise) return loaded.then((session) => attach(req, res, next, session, secure), next); // else anonymous: at once
      attach(req, res, next, loaded, secure);
    } catch (error) {
      next(error);
    }
    return undefined;
  };

  const failOnError: ErrorRequestHandler = (error, _req, res, next) => {
    if (isUnhandledError(error)) markHeldResponseFailed(res, manager as SessionManager<never>);
    next(error);
  };

  const session = (req: Request): Session<D> => (heldSessionOf(req.res!, manager as SessionManager<never>) as Session<D> | undefined) ?? typedSession<D>(req);
  return Object.assign(middleware, { session, failOnError });
}

export { expressCsrf } from "./csrf/express.js";
