/**
 * Header reading shared by the CSRF helpers of the Node-style adapters.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { CsrfRequest, ResolvedCsrfOptions } from "../../core/csrf.js";

/**
 * A request header as one text, or undefined when absent or empty. Node
 * joins repeated headers with ", " (and a few frameworks hand over arrays):
 * either way a repeated `Origin` or token header becomes a text that
 * matches nothing, so the check fails closed.
 *
 * @example
 * ```ts
 * headerText(req.headers["sec-fetch-site"]); // "same-origin"
 * ```
 */
export function headerText(value: string | string[] | null | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(", ") : value;
  return text ? text : undefined;
}

/**
 * The first value of a header a proxy appends to (`X-Forwarded-Host`), trimmed:
 * what the client's side of the first proxy wrote. Only meaningful behind
 * a proxy the app trusts.
 *
 * @example
 * ```ts
 * firstForwardedValue("example.com, 10.0.0.2"); // "example.com"
 * ```
 */
export function firstForwardedValue(value: string | string[] | null | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const comma = text.indexOf(",");
  return (comma === -1 ? text : text.slice(0, comma)).trim() || undefined;
}

/**
 * The parsed body's value of the token field, when the body is an object
 * (a body parser ran); undefined otherwise, so the header is used.
 *
 * @example
 * ```ts
 * formField(req.body, "_csrf");
 * ```
 */
export function formField(body: unknown, name: string): unknown {
  if (body === null || typeof body !== "object") return undefined;
  // Own properties only: "__proto__" or "constructor" must not come from the prototype.
  return Object.prototype.hasOwnProperty.call(body, name) ? (body as Record<string, unknown>)[name] : undefined;
}

/**
 * The {@link CsrfRequest} of a request with Node-style headers (Express,
 * Fastify, Koa, node:http): the headers are read here, once for all; the
 * scheme, host and parsed body are what the framework says they are.
 *
 * @example
 * ```ts
 * verifyCsrf(req.session, csrfRequest(req.method, req.headers, { protocol: req.protocol, host, body: req.body }, resolved), resolved);
 * ```
 */
export function csrfRequest(
  method: string,
  headers: IncomingHttpHeaders,
  seen: { readonly protocol: string; readonly host: string | undefined; readonly body: unknown },
  options: ResolvedCsrfOptions,
): CsrfRequest {
  return {
    method,
    secFetchSite: headerText(headers["sec-fetch-site"]),
    origin: headerText(headers.origin),
    protocol: seen.protocol,
    host: seen.host,
    formToken: formField(seen.body, options.fieldName),
    headerToken: headerText(headers[options.headerName]),
  };
}
