import { createError, type H3Event } from "h3";
import { SessionStoreError } from "../../core/errors.js";

/**
 * A store failure as an h3 error of its status (503), so h3's (or Nitro's,
 * or Nuxt's) error handling answers it; the `SessionStoreError` stays on
 * `cause`. Anything else goes on unchanged.
 *
 * @example
 * ```ts
 * try { session = await manager.load(...); } catch (error) { throw toH3Error(error); }
 * ```
 */
export function toH3Error(error: unknown): unknown {
  if (!(error instanceof SessionStoreError)) return error;
  return createError({ statusCode: error.status, statusMessage: "Service Unavailable", message: error.message, cause: error });
}

/**
 * The `handled` getter of h3's `H3Event`, bound to `event` (found on the
 * event's own class: Nitro bundles its own copy of h3); without one, whether
 * the Node response has ended.
 *
 * @example
 * ```ts
 * const handled = baseHandled(event);
 * Object.defineProperty(event, "handled", { configurable: true, get: () => endIsHeld || handled() });
 * ```
 */
export function baseHandled(event: H3Event): () => boolean {
  for (let proto: object | null = Object.getPrototypeOf(event); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const getter = Object.getOwnPropertyDescriptor(proto, "handled")?.get;
    if (getter) return () => getter.call(event) as boolean;
  }
  return () => event.node.res.writableEnded;
}
