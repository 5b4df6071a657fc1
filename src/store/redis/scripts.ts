import { createHash } from "node:crypto";
import { luaSourceFromFile } from "./lua.js";

/** A Lua script with its SHA-1, for EVALSHA with an EVAL fallback. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/**
 * A script from its source, with the SHA-1 that EVALSHA names it by.
 *
 * @example
 * ```ts
 * const ping = luaScript("return redis.call('PING')");
 * await port.run(ping, [], []);
 * ```
 */
export function luaScript(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

// The scripts themselves live in lua/*.lua, one file each, with what each
// takes and returns at its top: the same files the Python package loads
// (docs/format.md), so both languages run byte-identical scripts.

/**
 * Load a session and renew its expiry when due, in one command (lua/load.lua,
 * with the renewal rule of lua/renew-on-load.lua, the Lua twin of
 * `renewalOnLoad` in core/expiry.ts: change both together). ARGV: now, idle,
 * absolute and renew interval ms, then the caps of a session's own expiry
 * (max idle ms, max absolute ms; '' for no cap).
 */
export const LOAD_SCRIPT = luaScript(luaSourceFromFile("load.lua"));

/**
 * Apply one write (create, update, regenerate) to a session hash atomically
 * (lua/write.lua), reading the layout of `writeArguments` (write-arguments.ts).
 * A regenerate's grace window, in ms, follows the layout: the replaced hash is
 * then retired (lua/retire.lua), not deleted.
 * Returns 'ok', 'gone', 'retired' (an update of a retired copy), 'exists' or 'revoked'.
 */
export const WRITE_SCRIPT = luaScript(luaSourceFromFile("write.lua"));

/**
 * Take (delete, or with a grace window in ARGV[1] retire) the session a
 * regenerate replaces, on a Cluster (lua/take.lua). Returns 1 or 0.
 */
export const TAKE_SCRIPT = luaScript(luaSourceFromFile("take.lua"));

/** Add (or extend) one session in a user's index, pruning ended leases (lua/index-add.lua). */
export const INDEX_ADD_SCRIPT = luaScript(luaSourceFromFile("index-add.lua"));

/** Remove sessions from a user's index (lua/index-remove.lua). */
export const INDEX_REMOVE_SCRIPT = luaScript(luaSourceFromFile("index-remove.lua"));

/** A window of a user's live index entries, newest lease first (lua/index-entries.lua). */
export const INDEX_ENTRIES_SCRIPT = luaScript(luaSourceFromFile("index-entries.lua"));

/** A session's reserved fields and TTL, for listings (lua/inspect.lua). */
export const INSPECT_SCRIPT = luaScript(luaSourceFromFile("inspect.lua"));

/** Delete a session, optionally only if bound to a given user (lua/revoke.lua). */
export const REVOKE_SCRIPT = luaScript(luaSourceFromFile("revoke.lua"));

/** Make one index entry unable to be a live session, leaving a tombstone if needed (lua/revoke-entry.lua). */
export const REVOKE_ENTRY_SCRIPT = luaScript(luaSourceFromFile("revoke-entry.lua"));

/** Apply the coalesced updates of one event-loop turn, each as WRITE_SCRIPT would (lua/update-many.lua). */
export const UPDATE_MANY_SCRIPT = luaScript(luaSourceFromFile("update-many.lua"));

/** Read and delete a session's flash fields in one step (lua/take-fields.lua). */
export const TAKE_FIELDS_SCRIPT = luaScript(luaSourceFromFile("take-fields.lua"));

/** Put back the flash fields a failed request took, where absent (lua/restore-fields.lua). */
export const RESTORE_FIELDS_SCRIPT = luaScript(luaSourceFromFile("restore-fields.lua"));

/** Add an integer to a data field's JSON integer (lua/increment-field.lua). */
export const INCREMENT_FIELD_SCRIPT = luaScript(luaSourceFromFile("increment-field.lua"));

/** Set a data field if its text is the expected one (lua/compare-and-set-field.lua). */
export const COMPARE_AND_SET_FIELD_SCRIPT = luaScript(luaSourceFromFile("compare-and-set-field.lua"));
