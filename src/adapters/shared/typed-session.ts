import type { Session } from "../../core/session.js";

/**
 * The typed accessor an adapter returns beside its middleware
 * (`tessera.session(req)`): the session the middleware attached, typed with
 * the manager's data type `D`, for apps that use a generic instead of the
 * app-wide `SessionData` (which types `req.session` itself). A cast, no
 * work per request beyond the property read.
 *
 * @example
 * ```ts
 * return Object.assign(middleware, { session: typedSession<D> });
 * ```
 */
export function typedSession<D extends object>(holder: { session: unknown }): Session<D> {
  return holder.session as Session<D>;
}
