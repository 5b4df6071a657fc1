import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { resolveCsrfOptions, verifyCsrf, type CsrfOptions } from "../../core/csrf.js";
import type { Session } from "../../core/session.js";
import { trustedForwardedValue } from "../shared/forwarded.js";
import { trustedHopCounter, type TrustProxy } from "../shared/trust-proxy.js";
import { csrfRequest, headerText } from "./headers.js";

/** Options of {@link nodeCsrf}. */
export interface NodeCsrfOptions extends CsrfOptions {
  /**
   * The proxies whose `X-Forwarded-Proto` and `X-Forwarded-Host` give the
   * app's own origin: the same forms, and the same value, as
   * `nodeSession`'s option of the same name (pass it the same setting).
   * Default `false`: the request's own scheme and `Host`.
   */
  trustProxy?: TrustProxy;
}

/** The CSRF check for plain `node:http`, returned by {@link nodeCsrf}. */
export interface NodeCsrf {
  /**
   * Checks a request: returns for GET, HEAD, OPTIONS and TRACE and for a
   * state-changing request from this site with this session's token (from
   * `form`, the parsed body, when given, else the `x-csrf-token` header);
   * throws otherwise. Call it before changing anything.
   *
   * @throws CsrfError (status 403); inside `nodeSession(...).handler`, it reaches `onError`.
   * @throws SessionStoreError when the session could not be loaded (`"anonymous"` outage policy).
   *
   * @example
   * ```ts
   * const form = await readForm(req);
   * csrf.verify(req, session, form);
   * ```
   */
  verify<D extends object>(req: IncomingMessage, session: Session<D>, form?: unknown): void;
}

/**
 * CSRF protection for plain `node:http` servers: `verify(req, session,
 * form)` in each state-changing route, after reading the body (node:http
 * parses none). Put `csrfToken(session)` from `tessera-session` in every form.
 *
 * @throws SessionConfigError at creation for bad options.
 *
 * @example
 * ```ts
 * import { csrfToken } from "tessera-session";
 * import { nodeCsrf, nodeSession } from "tessera-session/node";
 * const csrf = nodeCsrf();
 * http.createServer(tessera.handler(async (req, res, session) => {
 *   if (req.method === "POST") csrf.verify(req, session, await readForm(req)); // throws CsrfError: 403 via onError
 *   res.end(`<input type="hidden" name="_csrf" value="${csrfToken(session)}">`);
 * }));
 * ```
 */
export function nodeCsrf(options: NodeCsrfOptions = {}): NodeCsrf {
  const { trustProxy = false, ...csrfOptions } = options;
  const resolved = resolveCsrfOptions(csrfOptions);
  const trustedHops = trustedHopCounter(trustProxy, "nodeCsrf trustProxy");
  return {
    verify(req, session, form) {
      const hops = trustedHops({ peerAddress: req.socket.remoteAddress, forwardedFor: req.headers["x-forwarded-for"] });
      const forwardedProto = trustedForwardedValue(req.headers["x-forwarded-proto"], hops)?.toLowerCase();
      const https = (req.socket as TLSSocket).encrypted === true || forwardedProto === "https";
      const host = trustedForwardedValue(req.headers["x-forwarded-host"], hops) ?? headerText(req.headers.host);
      verifyCsrf(session, csrfRequest(req.method ?? "GET", req.headers, { protocol: https ? "https" : "http", host, body: form }, resolved), resolved);
    },
  };
}
