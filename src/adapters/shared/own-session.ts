import type { Session } from "../../core/session.js";

/** One middleware's own record of the sessions it attached, read by its typed accessor. */
export interface OwnSession<H extends object, D extends object> {
  /** Records `session` as the one this middleware attached to `holder` (the request's context or locals). */
  keep(holder: H, session: Session<D>): void;
  /**
   * The session this middleware attached to `holder`; for a holder it never
   * saw (a route mounted before it), what the shared slot holds, which is
   * what the accessor answered before it kept a record of its own.
   */
  read(holder: H): Session<D>;
}

/**
 * Where a middleware keeps its own session beside the framework's shared
 * slot (`ctx.session`, `c.get("session")`, `locals.session`, h3's
`event.context.session`, React Router's `context.get(sessionContext)`). Every Tessera
 * middleware on a request writes that one slot, so with two managers
 * mounted it holds the last one's. A typed accessor that read it would
 * hand the first manager's routes the second's session: their changes
 * would be stored by the wrong manager, under the wrong cookie, and the
 * first manager's session would never see them. The slot keeps meaning
 * the last one's.
 *
 * The record is a property under a symbol of this middleware's own, not a
 * WeakMap entry: one property store per request, where a WeakMap would add
 * a hash-table insert and a weak entry for the GC to trace. A symbol key
 * stays out of `Object.keys`, JSON and Astro's check of serializable locals.
 *
 * @example
 * ```ts
 * const own = ownSession<{ session: unknown }, D>((ctx) => ctx.session);
 * // in the middleware: ctx.session = session; own.keep(ctx, session);
 * return Object.assign(middleware, { session: own.read });
 * ```
 */
export function ownSession<H extends object, D extends object>(sharedSlot: (holder: H) => unknown): OwnSession<H, D> {
  const key = Symbol("tessera-session own session");
  return {
    keep(holder, session) {
      (holder as Record<symbol, unknown>)[key] = session;
    },
    read: (holder) => ((holder as Record<symbol, unknown>)[key] ?? sharedSlot(holder)) as Session<D>,
  };
}

/** {@link ownSession} for a request's `locals` object, with `locals.session` as the shared slot. */
export interface LocalsSession<D extends object> {
  /** Sets `locals.session` (the shared slot) and records `session` as this middleware's own. */
  attach(locals: object, session: Session<D>): void;
  /** The typed accessor, given what carries the locals (SvelteKit's `event`, Astro's `context` or `Astro`). */
  read(holder: { locals: object }): Session<D>;
}

/**
 * {@link ownSession} for SvelteKit's and Astro's `locals`: kept on the
 * locals object, the one thing that stays the same through a request's
 * hooks (or middleware), load functions, endpoints and pages. The objects
 * around it do not: SvelteKit's `sequence()` hands each hook a copy of the
 * event, and an Astro page reads `Astro`, not the middleware's context.
 *
 * @example
 * ```ts
 * const own = localsSession<D>();
 * // in the hook: own.attach(event.locals, session);
 * return Object.assign(handle, { session: own.read });
 * ```
 */
export function localsSession<D extends object>(): LocalsSession<D> {
  const own = ownSession<object, D>((locals) => (locals as { session?: unknown }).session);
  return {
    attach(locals, session) {
      (locals as { session: Session<D> }).session = session;
      own.keep(locals, session);
    },
    read: ({ locals }) => own.read(locals),
  };
}
