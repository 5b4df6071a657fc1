import { IncomingMessage } from "node:http";
import { prototypeLayer } from "./prototype-layer.js";

/** The sessions the adapter gave requests, by request. */
const sessions = new WeakMap<object, unknown>();

/**
 * A `session` accessor, one per base prototype (the first in the chain that
 * defines `session` itself, or `IncomingMessage.prototype`): reading gives
 * the adapter's session for that request (undefined before), without the
 * slow shape an own property gets on an Express request. Anyone else's
 * assignment makes the own property it always made, so it reads back,
 * enumerates and deletes (express-session's `destroy`) as before.
 */
const sessionLayer = prototypeLayer(
  (proto) => proto === IncomingMessage.prototype || Object.hasOwn(proto, "session"),
  (base) =>
    Object.create(base, {
      session: {
        configurable: true,
        get(this: object) {
          return sessions.get(this);
        },
        set(this: object, value: unknown) {
          Object.defineProperty(this, "session", { value, writable: true, enumerable: true, configurable: true });
        },
      },
    }) as object,
);

/**
 * Gives `req.session` the value `session`, for a request whose framework
 * swaps its prototype per request (Express). An app or a later middleware
 * may still assign `req.session` itself; an own `session` property set
 * before (an app's, another middleware's) is assigned as it was.
 *
 * @example
 * ```ts
 * setRequestSession(req, session);
 * req.session === session; // true
 * ```
 */
export function setRequestSession(req: IncomingMessage, session: unknown): void {
  if (Object.hasOwn(req, "session")) {
    (req as IncomingMessage & { session: unknown }).session = session;
    return;
  }
  sessions.set(req, session);
  sessionLayer.insertInto(req);
}
