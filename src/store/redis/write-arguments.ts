import type { SessionWrite } from "../../core/store.js";

/**
 * The one argument layout of a session write, for every script that
 * applies writes (WRITE_SCRIPT for one, UPDATE_MANY_SCRIPT for several in a
 * row; the Lua `decodeWrite` of lua/write-codec.lua reads it, and lua/lone-update.lua inline):
 *
 * `kind ('create'|'update'), ttl ms ('' keeps the current TTL), number of
 * field/value pairs, number of fields to delete, the pairs, the fields to
 * delete`, and for a regenerate with a grace window, that window in ms.
 *
 * @example
 * ```ts
 * writeArguments({ kind: "update", set: [["cart", "[]"]], del: ["old"] });
 * // ["update", "", "1", "1", "cart", "[]", "old"]
 * ```
 */
export function writeArguments(write: SessionWrite): string[] {
  const del = write.kind === "update" ? write.del : [];
  // Whole milliseconds: PEXPIRE refuses a fraction.
  const ttl = write.ttlMs === undefined ? "" : String(Math.ceil(write.ttlMs));
  const args = [write.kind, ttl, String(write.set.length), String(del.length)];
  // Pushed one by one: a spread of a huge write could overflow the stack.
  for (const [field, value] of write.set) args.push(field, value);
  for (const field of del) args.push(field);
  // After the layout, read by WRITE_SCRIPT's create alone: a regenerate's grace window.
  if (write.kind === "create" && write.replaces !== undefined && write.replacedGraceMs !== undefined && write.replacedGraceMs > 0) {
    args.push(String(Math.ceil(write.replacedGraceMs)));
  }
  return args;
}
