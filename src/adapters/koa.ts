import type { DefaultState, Middleware, ParameterizedContext } from "koa";
import type { SessionManager } from "../core/manager.js";
import type { Session } from "../core/session.js";
import type { SessionData } from "../core/session-data.js";
import { isServerError, isUnhandledError } from "./shared/failed-request.js";
import { storeOutageChooser, type StoreOutageOption } from "./shared/store-outage.js";
import { ownSession } from "./shared/own-session.js";
import { attachToError } from "./shared/error-headers.js";

declare module "koa" {
  interface DefaultContext {
    /** This request's Tessera session, typed by the app-wide `SessionData`. */
    session: Session<SessionData>;
  }
}

/**
 * Options of {@link koaSession}: `storeOutage`, a policy or a function of `ctx`.
 * @example `koaSession(sessions, { storeOutage: (ctx) => (ctx.path.startsWith("/account") ? "fail" : "anonymous") })`
 */
export type KoaSessionOptions = StoreOutageOption<ParameterizedContext>;

/**
 * The context shape the middleware provides, for apps that type their Koa
 * app with a generic instead of the app-wide `SessionData`.
 *
 * @example
 * ```ts
 * const app = new Koa<DefaultState, KoaSessionContext<{ cart: string[] }>>();
 * app.use(koaSession(sessions));
 * app.use((ctx) => { ctx.body = ctx.session.data.cart ?? []; });
 * ```
 */
export interface KoaSessionContext<D extends object> {
  session: Session<D>;
}

/** The Koa middleware, plus a typed accessor for the manager's data type `D`. */
export type KoaSessionMiddleware<D extends object> = Middleware<DefaultState, KoaSessionContext<D>> & {
  /**
   * The context's session typed with the manager's data type `D`: this
   * middleware's own, also when another manager's is mounted after it
   * (`ctx.session` is then the last one's).
   *
   * @example
   * ```ts
   * const tessera = koaSession(sessions);
   * app.use(tessera);
   * app.use((ctx) => { ctx.body = tessera.session(ctx).data.cart ?? []; });
   * ```
   */
  session(ctx: { session: unknown }): Session<D>;
};

/**
 * Koa middleware that loads the request's session into `ctx.session` and
 * commits it after `await next()`, before Koa sends the body (a redirect, a
 * stream...): Set-Cookie is attached and the write is done when the client
 * sees the response. A request that ends in a thrown error without a 4xx
 * `status`, or with a 5xx `ctx.status`, has its session changes discarded
 * and gets no new session cookie (see the manager's `commitOnError`); a
 * thrown 4xx (`ctx.throw(401)`) commits. HTTPS is detected by
 * `ctx.secure`, which honours `app.proxy` (X-Forwarded-Proto). Store
 * failures are thrown as `SessionStoreError`, whose `status` (503) Koa's
 * error handling uses, unless `storeOutage` lets the request go on anonymously.
 *
 * With `ctx.respond = false`, `await ctx.session.commit()` yourself and set
 * the cookie before writing to `ctx.res`.
 *
 * @example
 * ```ts
 * import Koa from "koa";
 * import { koaSession } from "tessera-session/koa";
 * const app = new Koa({ proxy: true });
 * app.use(koaSession(sessions));
 * app.use((ctx) => { ctx.body = `Hello ${ctx.session.data.username ?? "stranger"}`; });
 * ```
 */
export function koaSession<D extends object>(manager: SessionManager<D>, options: KoaSessionOptions = {}): KoaSessionMiddleware<D> {
  const storeOutageOf = storeOutageChooser<ParameterizedContext>(options.storeOutage, "koaSession storeOutage");
  const own = ownSession<{ session: unknown }, D>((ctx) => ctx.session);

  const middleware = async (ctx: ParameterizedContext<DefaultState, KoaSessionContext<D>>, next: () => Promise<unknown>) => {
    const loaded = manager.loadNowOrLater({ cookieHeader: ctx.headers.cookie, headers: ctx.headers, secure: ctx.secure, storeOutage: storeOutageOf(ctx) });
    const session = loaded instanceof Promise ? await loaded : loaded;
    ctx.session = session;
    own.keep(ctx, session);
    try {
      await next();
    } catch (error) {
      // The app's error becomes the response, with the error's status: a
      // 4xx commits like any response, an unhandled error discards. Should
      // the commit fail too, the app's error is the one reported.
      const headers = await manager.commitResponse(session, { failed: isUnhandledError(error) }).catch(() => null);
      if (headers !== null) attachToError(error, headers);
      throw error;
    }
    const failed = isServerError(ctx.status); // no unhandled error: those took the path above
    const headers = manager.commitResponseNowOrLater(session, { failed });
    for (const [name, value] of headers instanceof Promise ? await headers : headers) ctx.append(name, value);
  };

  return Object.assign(middleware, { session: own.read });
}

export { koaCsrf } from "./csrf/koa.js";
