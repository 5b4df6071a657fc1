import { LUA_FILES } from "./lua-files.generated.js";
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

/*
 * The Lua scripts are files, `lua/*.lua` beside this module: the one source
 * of the scripts, which this store and the Python package
 * (python/tessera_session) both load through the same two rules,
 * {@link luaSourceFromFile}'s. Node reads them from a module generated at
 * build time (scripts/lua-module.ts), not from disk, so that an app whose
 * bundler inlines this package (Next.js, Nitro) still has them.
 */
/** A line that stands for another file of the folder, spliced in as it is. */
const INCLUDE_LINE = /^--#include ([a-z-]+\.lua)\n/gm;
/** A reserved field named by its {@link LUA_FIELD} key, e.g. `${createdAt}`. */
const FIELD_PLACEHOLDER = /\$\{(\w*)\}/g;
/** Includes nest at most this deep (a cycle fails instead of looping). */
const MAX_INCLUDE_DEPTH = 4;

/**
 * A script's source from its file in `lua/`: each `--#include name.lua`
 * line replaced by that file (recursively), then each `${field}` placeholder
 * by the reserved field's Lua literal ({@link LUA_FIELD}). The files never
 * spell a field name, so record-fields.ts stays its one source.
 *
 * @throws Error naming the file for a missing include, a cycle, or an unknown placeholder.
 *
 * @example
 * ```ts
 * const load = luaScript(luaSourceFromFile("load.lua"));
 * ```
 */
export function luaSourceFromFile(name: string): string {
  return expandIncludes(name, 0).replace(FIELD_PLACEHOLDER, (_, field: string) => {
    if (!Object.hasOwn(LUA_FIELD, field)) {
      throw new Error(`lua/${name}: unknown placeholder \${${field}}; known: ${Object.keys(LUA_FIELD).join(", ")}`);
    }
    return LUA_FIELD[field as keyof typeof LUA_FIELD];
  });
}

function expandIncludes(name: string, depth: number): string {
  if (depth > MAX_INCLUDE_DEPTH) throw new Error(`lua/${name}: includes nest deeper than ${MAX_INCLUDE_DEPTH} (a cycle?)`);
  const text = LUA_FILES[name];
  if (text === undefined) throw new Error(`lua/${name}: no such script file (run npm run build after adding one)`);
  return text.replace(INCLUDE_LINE, (_, included: string) => expandIncludes(included, depth + 1));
}
