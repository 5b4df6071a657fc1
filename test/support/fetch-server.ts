import type { Server } from "node:http";
import { createAdaptorServer, type HttpBindings } from "@hono/node-server";
import { listenOnLoopback, type ServedApp } from "tessera-session/testing";

/** A plain fetch handler as @hono/node-server calls it: the web `Request`, and the Node request and response beside it. */
export type NodeFetchHandler = (request: Request, env: HttpBindings) => Response | Promise<Response>;

/**
 * Serves a plain fetch handler (no framework: `Request` in, `Response` out)
 * on a loopback port 0 through @hono/node-server's node:http bridge, the
 * way a Node app without a framework serves one. Node's own `Request` and
 * `Response` stay global (the bridge would otherwise swap in its lighter
 * ones, whose redirect headers are mutable).
 */
export function serveFetch(handler: NodeFetchHandler): Promise<ServedApp> {
  return listenOnLoopback(createAdaptorServer({ fetch: handler as (request: Request, env: unknown) => Promise<Response>, overrideGlobalObjects: false }) as Server);
}

/** The peer's address @hono/node-server's bindings tell, for an address-based `trustProxy`. */
export const peerOf = (_request: Request, env: HttpBindings): string | undefined => env.incoming.socket.remoteAddress;
