import { CREATED_AT_FIELD, EXPIRY_FIELD, LAST_SEEN_FIELD, LEASE_FIELD, RETIRED_FIELD, TOMBSTONE_FIELD, USER_ID_FIELD } from "../../core/record-fields.js";

/** Bytes a Lua literal may hold as they are; every other byte is written as a `\ddd` escape. */
const PLAIN_BYTE = /[A-Za-z0-9_ ]/;

/**
 * Any text as a Lua string literal, for building script sources from
 * TypeScript constants. Every byte but letters, digits, `_` and space is a
 * three-digit decimal escape (Lua 5.1's `\ddd`), so no text can end the
 * literal, break a line or change meaning; and since `@` (the reserved-field
 * prefix) is escaped too, a field name typed into a script by hand (a quote
 * right before an `@`) stands out: test/lua-sources.test.ts refuses one.
 *
 * @example
 * ```ts
 * luaString(CREATED_AT_FIELD); // the literal '\064c', which Lua reads as the field's name
 * ```
 */
export function luaString(text: string): string {
  let literal = "'";
  for (const byte of Buffer.from(text, "utf8")) {
    const char = String.fromCharCode(byte);
    literal += PLAIN_BYTE.test(char) ? char : `\\${String(byte).padStart(3, "0")}`;
  }
  return `${literal}'`;
}

/**
 * The reserved fields of a session record (core/record-fields.ts) as Lua
 * literals: the only way a script names one.
 */
export const LUA_FIELD = {
  createdAt: luaString(CREATED_AT_FIELD),
  userId: luaString(USER_ID_FIELD),
  lastSeen: luaString(LAST_SEEN_FIELD),
  lease: luaString(LEASE_FIELD),
  tombstone: luaString(TOMBSTONE_FIELD),
  expiry: luaString(EXPIRY_FIELD),
  retired: luaString(RETIRED_FIELD),
} as const;
