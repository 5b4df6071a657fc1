import type { Middleware } from "koa";
import { resolveCsrfOptions, verifyCsrf, type CsrfOptions } from "../../core/csrf.js";
import { csrfRequest } from "./headers.js";

/**
 * Koa middleware that refuses cross-site and token-less state-changing
 * requests (every method but GET, HEAD, OPTIONS, TRACE) by throwing a
 * `CsrfError` (status 403, which Koa's error handling uses) before the
 * downstream middleware runs. The token comes from `ctx.request.body`'s
 * form field (default `_csrf`), so mount a body parser (`@koa/bodyparser`,
 * `koa-body`) before it for HTML forms, or from the `x-csrf-token` header.
 * Mount it after `koaSession`.
 *
 * Scheme and host are `ctx.protocol` and `ctx.host`, which follow Koa's
 * `proxy` setting (`X-Forwarded-Proto`, `X-Forwarded-Host`).
 *
 * @throws SessionConfigError at creation for bad options.
 *
 * @example
 * ```ts
 * import { csrfToken } from "tessera-session";
 * import { koaCsrf, koaSession } from "tessera-session/koa";
 * app.use(koaSession(sessions));
 * app.use(bodyParser());
 * app.use(koaCsrf());
 * app.use((ctx) => { ctx.body = `<input type="hidden" name="_csrf" value="${csrfToken(ctx.session)}">`; });
 * ```
 */
export function koaCsrf(options: CsrfOptions = {}): Middleware {
  const resolved = resolveCsrfOptions(options);
  return async (ctx, next) => {
    verifyCsrf(
      ctx.session,
      csrfRequest(ctx.method, ctx.headers, { protocol: ctx.protocol, host: ctx.host || undefined, body: (ctx.request as { body?: unknown }).body }, resolved),
      resolved,
    );
    await next();
  };
}
