import type { Context } from "hono";

/**
 * The peer's address, on runtimes that tell it (`@hono/node-server` passes
 * the Node request as `env.incoming`); undefined elsewhere, where only a
 * hop-count `trustProxy` can trust a proxy.
 *
 * @example
 * ```ts
 * honoPeerAddress(c); // "127.0.0.1" on @hono/node-server
 * ```
 */
export function honoPeerAddress(c: Context): string | undefined {
  return (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
}
