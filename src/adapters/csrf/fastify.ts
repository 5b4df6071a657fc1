import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { resolveCsrfOptions, verifyCsrf, type CsrfOptions } from "../../core/csrf.js";
import { csrfRequest } from "./headers.js";

/** Fastify plugin metadata, as in `fastifySession`: the hook applies to the context the plugin is registered in. */
const SKIP_OVERRIDE = Symbol.for("skip-override");
const DISPLAY_NAME = Symbol.for("fastify.display-name");

/**
 * Fastify plugin that refuses cross-site and token-less state-changing
 * requests (every method but GET, HEAD, OPTIONS, TRACE) with a `CsrfError`
 * (status 403, which Fastify's error handler uses) in a `preValidation`
 * hook: after the body is parsed, before the route runs. The token comes
 * from the parsed body's form field (default `_csrf`; Fastify parses JSON
 * only, so add a parser for `application/x-www-form-urlencoded`, e.g.
 * `@fastify/formbody`), or from the `x-csrf-token` header. Register it
 * after `fastifySession`; it covers the routes of the context it is
 * registered in (register it inside a plugin to cover only those routes).
 *
 * Scheme and host are `request.protocol` and `request.host`, which follow
 * Fastify's `trustProxy` option.
 *
 * @throws SessionConfigError at creation for bad options.
 *
 * @example
 * ```ts
 * import { csrfToken } from "tessera-session";
 * import { fastifyCsrf, fastifySession } from "tessera-session/fastify";
 * await app.register(fastifySession(sessions));
 * await app.register(fastifyCsrf());
 * app.get("/form", async (request, reply) => reply.type("text/html").send(`<form method="post">
 *   <input type="hidden" name="_csrf" value="${csrfToken(request.session)}">...</form>`));
 * ```
 */
export function fastifyCsrf(options: CsrfOptions = {}): FastifyPluginAsync {
  const resolved = resolveCsrfOptions(options);
  const plugin = async (fastify: FastifyInstance): Promise<void> => {
    fastify.addHook("preValidation", async (request) => {
      verifyCsrf(
        request.session,
        csrfRequest(request.method, request.headers, { protocol: request.protocol, host: request.host || undefined, body: request.body }, resolved),
        resolved,
      );
    });
  };
  return Object.assign(plugin, { [SKIP_OVERRIDE]: true, [DISPLAY_NAME]: "tessera-csrf" });
}
