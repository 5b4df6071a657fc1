import { legacySetCookies } from "../../core/migration.js";

/**
 * The Set-Cookie values a response carries after its commit: the session's
 * own cookie, if the commit decided one, then, for a session migrated from
 * another library on this request, the clearing of that library's cookie.
 * Adapters append each as its own header.
 *
 * @example
 * ```ts
 * for (const value of responseSetCookies(session, await manager.commit(session))) reply.header("set-cookie", value);
 * ```
 */
export function responseSetCookies(session: object, cookie: string | undefined): readonly string[] {
  const legacy = legacySetCookies(session);
  if (cookie === undefined) return legacy;
  return legacy.length === 0 ? [cookie] : [cookie, ...legacy];
}
