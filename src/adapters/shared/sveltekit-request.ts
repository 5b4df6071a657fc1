import type { RequestEvent } from "@sveltejs/kit";

/** What a SvelteKit adapter reads of the Node socket, where adapter-node hands over the request. */
export interface NodeSocketFacts {
  readonly remoteAddress?: string;
  readonly encrypted?: boolean;
}

/**
 * The Node request's socket, on adapter-node (`event.platform.req`);
 * undefined on platforms that have none.
 *
 * @example
 * ```ts
 * sveltekitSocket(event)?.remoteAddress; // "127.0.0.1" on adapter-node
 * ```
 */
export function sveltekitSocket(event: RequestEvent): NodeSocketFacts | undefined {
  return (event.platform as { req?: { socket?: NodeSocketFacts } } | undefined)?.req?.socket;
}

/**
 * Whether the connection itself is HTTPS: on Node, a TLS socket. Not
 * `event.url`, whose scheme adapter-node takes from `ORIGIN` (or
 * `PROTOCOL_HEADER`) and otherwise assumes to be https; where there is no
 * Node request, the URL's scheme.
 *
 * @example
 * ```ts
 * const secure = sveltekitConnectionIsHttps(event) || viaHttpsProxy(...);
 * ```
 */
export function sveltekitConnectionIsHttps(event: RequestEvent): boolean {
  const socket = sveltekitSocket(event);
  return socket === undefined ? event.url.protocol === "https:" : socket.encrypted === true;
}
