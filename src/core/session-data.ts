/**
 * The app-wide shape of session data. Empty by default; declare your keys
 * once with module augmentation of `"tessera"` (which re-exports this
 * interface) and every adapter's `session.data` is typed:
 *
 * @example
 * ```ts
 * declare module "tessera-session" {
 *   interface SessionData {
 *     username: string;
 *     cart: { sku: string; qty: number }[];
 *   }
 * }
 * req.session.data.username; // string | undefined
 * ```
 *
 * Alternatively pass a type to `createSessionManager<MyData>()`. Until
 * either is done, `session.data` accepts any key with `unknown` values.
 *
 * It is declared here, in the core, so that the manager and the adapters
 * need not import the package root (an import loop); augmenting
 * `"tessera"` reaches it through the root's re-export, in any program that
 * imports `"tessera"` (every app does, for `createSessionManager`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SessionData {}
