import { IncomingMessage } from "node:http";
import { prototypeLayer } from "./prototype-layer.js";

/** The sessions set through the layer's `session` accessor, by request. */
const sessions = new WeakMap<object, unknown>();

/**
 * A `session` accessor, one per base prototype (the first in the chain that
 * defines `session` itself, or `IncomingMessage.prototype`): reading gives
 * what was last assigned to that request (undefined before), as an own
 * property would, without the slow shape an own property gets on an
 * Express request.
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
        set(this: object, session: unknown) {
          sessions.set(this, session);
        },
      },
    }) as object,
);

/**
 * Gives `req.session` the value `session`, for a request whose framework
 * swaps its prototype per request (Express). An app or a later middleware
 * may still assign `req.session` itself; an own `session` property set
 * before (another session library) is assigned as it was.
 *
 * @example
 * ```ts
 * setRequestSession(req, session);
 * req.session === session; // true
 * ```
 */
export function setRequestSession(req: IncomingMessage, session: unknown): void {
  if (!Object.hasOwn(req, "session")) sessionLayer.insertInto(req);
  (req as IncomingMessage & { session: unknown }).session = session;
}
