import { createHash } from "node:crypto";
import { LUA_FIELD } from "./lua.js";

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

/**
 * Lua helper: the renewal rule of a load, the Lua twin of `renewalOnLoad`
 * in core/expiry.ts (change both together; store conformance proves them
 * equal at every boundary). Every script that renews a session calls it.
 * Takes the record's HGETALL reply and the app's clock and policy; returns
 * nothing when the record is over (deleting it, unless it is no record at
 * all: a tombstone has no creation time and must stay), else its TTL after
 * the load and 1 when it moved. A retired record (a regenerate's read-only
 * copy, see RETIRED_FIELD) lives out its grace: its TTL, never moved. A
 * session's own expiry (EXPIRY_FIELD, `session.setExpiry`) replaces the
 * idle and absolute timeouts, each cut to the manager's maximum (maxIdle,
 * maxAbsolute: nil for no cap; see `withSessionExpiry`). The target TTL is
 * the idle timeout, capped by what is left of the absolute timeout and by
 * a bound session's lease (so it cannot outlive its entry in the user's
 * index); a move is made only when it is at least the renew interval (for
 * a record with its own expiry, a cut back to a lowered maximum too: `isCutDue`),
 * or when the key has no TTL; a bound session's renewal records last-seen, in
 * the same command.
 */
const RENEW_ON_LOAD = `
local function renewOnLoad(key, fields, nowText, idle, absolute, interval, maxIdle, maxAbsolute)
  local created, lease, bound, own, retired, tombstone
  for i = 1, #fields, 2 do
    local name = fields[i]
    if name == ${LUA_FIELD.createdAt} then created = tonumber(fields[i + 1])
    elseif name == ${LUA_FIELD.lease} then lease = tonumber(fields[i + 1])
    elseif name == ${LUA_FIELD.userId} then bound = true
    elseif name == ${LUA_FIELD.expiry} then own = fields[i + 1]
    elseif name == ${LUA_FIELD.retired} then retired = tonumber(fields[i + 1])
    elseif name == ${LUA_FIELD.tombstone} then tombstone = true end
  end
  if not created then
    if retired and not tombstone then return redis.call('PTTL', key), 0 end
    return nil
  end
  if own then
    local ownIdle, ownAbsolute = string.match(own, '^(%d+),(%d+),[01]$')
    if ownIdle and tonumber(ownIdle) > 0 then
      idle = tonumber(ownIdle)
      if maxIdle and idle > maxIdle then idle = maxIdle end
      absolute = tonumber(ownAbsolute)
      if maxAbsolute and maxAbsolute > 0 and (absolute <= 0 or absolute > maxAbsolute) then absolute = maxAbsolute end
    end
  end
  local now = tonumber(nowText)
  local target = idle
  if absolute > 0 and created + absolute - now < target then target = created + absolute - now end
  if lease and lease - now < target then target = lease - now end
  if target <= 0 then
    redis.call('DEL', key)
    return nil
  end
  local ttl = redis.call('PTTL', key)
  if ttl >= 0 and target - ttl < interval and not (own and ttl - target >= interval) then return ttl, 0 end
  redis.call('PEXPIRE', key, target)
  if bound then redis.call('HSET', key, ${LUA_FIELD.lastSeen}, nowText) end
  return target, 1
end
`;

/**
 * Load a session and renew its expiry when due, in one command.
 * KEYS[1] session hash. ARGV: now, idle ms, absolute ms (0 = none), renew
 * interval ms, then the caps of a session's own expiry: max idle ms and max
 * absolute ms ('' for no cap; 0 = a session may have no absolute timeout).
 * Returns nil when missing or expired, else { flat field list, ttl ms, renewed 0|1 }.
 * `now` comes from the app's clock so app and store agree on the absolute deadline.
 */
export const LOAD_SCRIPT = luaScript(`${RENEW_ON_LOAD}
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then return false end
local ttl, renewed = renewOnLoad(KEYS[1], fields, ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5] or ''), tonumber(ARGV[6] or ''))
if not ttl then return false end
return { fields, ttl, renewed }
`);

/**
 * Lua helper: `retire` ends the record a regenerate replaces: deleted, or
 * with a grace window (`grace` ms; nil or 0: none) turned into its retired
 * copy (creation time moved to RETIRED_FIELD, TTL cut to the grace) that
 * loads read-only and that no update, regenerate, renewal, listing or
 * revoke takes for a record.
 */
const RETIRE = `
local function retire(key, grace)
  if not grace or grace <= 0 then return redis.call('DEL', key) end
  local created = redis.call('HGET', key, ${LUA_FIELD.createdAt})
  if not created then return 0 end
  redis.call('HDEL', key, ${LUA_FIELD.createdAt})
  redis.call('HSET', key, ${LUA_FIELD.retired}, created)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 or ttl > grace then redis.call('PEXPIRE', key, grace) end
  return 1
end
`;

/**
 * Lua helpers of the session write scripts, the one reader of the layout
 * that `writeArguments` (write-arguments.ts) writes.
 * `inChunks` runs `command` (HSET or HDEL) on `key` with ARGV[first..last],
 * in chunks, because unpack() is bounded by Lua's C stack (chunks of 1000
 * keep field/value pairs together). `decodeWrite` reads the write at ARGV[at]:
 * its kind, TTL and argument ranges (the next write starts after `delLast`);
 * plain values, not a table, so a coalesced update allocates nothing.
 * `applyWrite` sets, deletes and moves the TTL; `applyUpdate` does so only
 * to a record (a hash with a creation time: a tombstone is none, so an
 * update of it is 'gone', and a retired record is none either: 'retired').
 * Only refused updates pay for telling 'retired' from 'gone'.
 * Only sets values and TTLs, never read-modify-write, so a replay after a
 * timeout has the same effect.
 */
const WRITE_CODEC = `
local function inChunks(command, key, first, last)
  while first <= last do
    local stop = math.min(last, first + 999)
    redis.call(command, key, unpack(ARGV, first, stop))
    first = stop + 1
  end
end
local function decodeWrite(at)
  local setFirst = at + 4
  local setLast = setFirst + tonumber(ARGV[at + 2]) * 2 - 1
  local delLast = setLast + tonumber(ARGV[at + 3])
  return ARGV[at], ARGV[at + 1], setFirst, setLast, delLast
end
local function applyWrite(key, ttl, setFirst, setLast, delLast)
  if setFirst <= setLast then inChunks('HSET', key, setFirst, setLast) end
  if setLast < delLast then inChunks('HDEL', key, setLast + 1, delLast) end
  if ttl ~= '' then redis.call('PEXPIRE', key, ttl) end
end
local function applyUpdate(key, ttl, setFirst, setLast, delLast)
  if redis.call('HEXISTS', key, ${LUA_FIELD.createdAt}) == 0 then
    if redis.call('HEXISTS', key, ${LUA_FIELD.retired}) == 1 then return 'retired' end
    return 'gone'
  end
  applyWrite(key, ttl, setFirst, setLast, delLast)
  return 'ok'
end
`;

/**
 * WRITE_SCRIPT's update path, the write of every changed request, written
 * out rather than through WRITE_CODEC: Redis runs a script's whole body on
 * every call, and defining the codec's functions costs more than the update
 * itself. It reads the one write at ARGV[1] as `decodeWrite` does and acts
 * as `applyUpdate` does, sending up to 500 pairs (1000 deletes) as one HSET
 * (HDEL), the common case, and larger writes in chunks of 1000, because
 * unpack() is bounded by Lua's C stack.
 */
const LONE_UPDATE = `
if redis.call('HEXISTS', key, ${LUA_FIELD.createdAt}) == 0 then
  if redis.call('HEXISTS', key, ${LUA_FIELD.retired}) == 1 then return 'retired' end
  return 'gone'
end
local setLast = 4 + tonumber(ARGV[3]) * 2
local delLast = setLast + tonumber(ARGV[4])
if setLast >= 5 then
  if setLast <= 1004 then redis.call('HSET', key, unpack(ARGV, 5, setLast))
  else for first = 5, setLast, 1000 do redis.call('HSET', key, unpack(ARGV, first, math.min(setLast, first + 999))) end end
end
if delLast > setLast then
  if delLast - setLast <= 1000 then redis.call('HDEL', key, unpack(ARGV, setLast + 1, delLast))
  else for first = setLast + 1, delLast, 1000 do redis.call('HDEL', key, unpack(ARGV, first, math.min(delLast, first + 999))) end end
end
if ARGV[2] ~= '' then redis.call('PEXPIRE', key, ARGV[2]) end
return 'ok'
`;

/**
 * Apply one write to a session hash atomically.
 * KEYS[1] session hash; KEYS[2] (optional) the hash it replaces (regenerate).
 * ARGV: one write, as `writeArguments` lays it out (a regenerate's grace
 * window, in ms, after it: the replaced hash is retired, not deleted).
 * Returns 'ok', 'gone' (update target or replaced session no longer exists),
 * 'retired' (update of a regenerate's read-only copy: nothing written),
 * 'exists', or 'revoked' (a create of an id "log out everywhere" left a
 * tombstone on: the replaced session is deleted too, so the login or
 * regenerate fails closed).
 * One script for both kinds, so a login has already loaded it into Redis
 * before the session's first update; the update comes first and defines
 * nothing (LONE_UPDATE), the create's helpers are defined only when it runs.
 */
export const WRITE_SCRIPT = luaScript(`
local key = KEYS[1]
if ARGV[1] ~= 'create' then
${LONE_UPDATE}
end
${WRITE_CODEC}${RETIRE}
local _, ttl, setFirst, setLast, delLast = decodeWrite(1)
if KEYS[2] and redis.call('HEXISTS', KEYS[2], ${LUA_FIELD.createdAt}) == 0 then return 'gone' end
if redis.call('HEXISTS', key, ${LUA_FIELD.tombstone}) == 1 then
  if KEYS[2] then redis.call('DEL', KEYS[2]) end
  return 'revoked'
end
if redis.call('EXISTS', key) == 1 then return 'exists' end
if KEYS[2] then retire(KEYS[2], tonumber(ARGV[delLast + 1] or '')) end
applyWrite(key, ttl, setFirst, setLast, delLast)
return 'ok'
`);

/**
 * Take (delete, or with a grace window retire) the session a regenerate
 * replaces, on a Cluster, where the old and new sessions' keys are in
 * different slots. KEYS[1] the old session hash; ARGV[1] (optional) the
 * grace window in ms. Returns 1 when a record was taken, 0 when there was
 * none: a tombstone (or a retired copy) is not a record, so a regenerate of
 * a session that died meanwhile is refused even when "log out everywhere"
 * left a tombstone on it.
 */
export const TAKE_SCRIPT = luaScript(`${RETIRE}
if redis.call('HEXISTS', KEYS[1], ${LUA_FIELD.createdAt}) == 0 then return 0 end
return retire(KEYS[1], tonumber(ARGV[1] or ''))
`);

/**
 * Add (or extend) one session in a user's index, in one command.
 * KEYS[1] the user's sorted set (member = session id, score = lease end, epoch ms).
 * ARGV: now, session id, lease end, then ids to remove.
 * Drops entries whose lease ended (lazy pruning: no keyspace notifications),
 * never lowers a lease (two racing extensions keep the later one), and keeps
 * the key's own TTL at the largest lease, so an index whose sessions all
 * expired without traffic disappears by itself. TTLs are relative to the
 * app's `now`, like the sessions' own, so Redis's clock does not matter.
 * Returns the number of entries left.
 */
export const INDEX_ADD_SCRIPT = luaScript(`
local key = KEYS[1]
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])
local current = redis.call('ZSCORE', key, ARGV[2])
if not current or tonumber(current) < tonumber(ARGV[3]) then
  redis.call('ZADD', key, ARGV[3], ARGV[2])
end
for i = 4, #ARGV do redis.call('ZREM', key, ARGV[i]) end
local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if last[2] then
  local ttl = math.ceil(tonumber(last[2]) - now)
  if ttl > 0 then redis.call('PEXPIRE', key, ttl) else redis.call('DEL', key) end
end
return redis.call('ZCARD', key)
`);

/**
 * Remove sessions from a user's index. KEYS[1] the sorted set; ARGV the ids.
 */
export const INDEX_REMOVE_SCRIPT = luaScript(`
for i = 1, #ARGV, 1000 do
  redis.call('ZREM', KEYS[1], unpack(ARGV, i, math.min(#ARGV, i + 999)))
end
return 0
`);

/**
 * A window of a user's index entries whose lease has not ended, newest
 * lease first, pruning those that have. KEYS[1] the sorted set; ARGV: now,
 * first rank, last rank (-1 = to the end). Returns { id, lease, id, lease... }.
 */
export const INDEX_ENTRIES_SCRIPT = luaScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZREVRANGE', KEYS[1], ARGV[2], ARGV[3], 'WITHSCORES')
`);

/**
 * A session's reserved fields and TTL, for listings. KEYS[1] session hash;
 * ARGV the field names. Returns nil when there is no record (a tombstone is
 * none), else { ttl ms, values... } (a missing field is nil). Data fields are never read.
 */
export const INSPECT_SCRIPT = luaScript(`
if redis.call('HEXISTS', KEYS[1], ${LUA_FIELD.createdAt}) == 0 then return false end
local ttl = redis.call('PTTL', KEYS[1])
local values = redis.call('HMGET', KEYS[1], unpack(ARGV))
return { ttl, unpack(values) }
`);

/**
 * Delete a session, optionally only if bound to a given user, and say whom
 * it was bound to. KEYS[1] session hash; ARGV: '1' to check the owner, the
 * expected user id. Returns nil when nothing was deleted, else the user id
 * ('' when the session was not bound).
 */
export const REVOKE_SCRIPT = luaScript(`
if redis.call('HEXISTS', KEYS[1], ${LUA_FIELD.createdAt}) == 0 then return false end
local owner = redis.call('HGET', KEYS[1], ${LUA_FIELD.userId})
if ARGV[1] == '1' and owner ~= ARGV[2] then return false end
if redis.call('DEL', KEYS[1]) == 0 then return false end
return owner or ''
`);

/**
 * Make one index entry unable to be a live session (revokeUserSessions).
 * KEYS[1] session hash; ARGV: user id, now, the entry's lease end (epoch ms),
 * '1' to leave the user's own record alone ('live': a listing).
 * A record bound to the user is deleted ('deleted'); a record bound to
 * anyone else, or unbound, is left alone ('foreign'); with no record, a
 * tombstone is left until the lease end ('absent'), so a create of the id
 * that is still on its way (a login between its index write and its
 * session write) is refused. A regenerate's retired copy under the id is
 * deleted first: its data goes with it. The tombstone's lifetime is relative to the
 * app's `now`, like every TTL here; it never lowers an existing one.
 */
export const REVOKE_ENTRY_SCRIPT = luaScript(`
if redis.call('HEXISTS', KEYS[1], ${LUA_FIELD.createdAt}) == 1 then
  if redis.call('HGET', KEYS[1], ${LUA_FIELD.userId}) ~= ARGV[1] then return 'foreign' end
  if ARGV[4] == '1' then return 'live' end
  redis.call('DEL', KEYS[1])
  return 'deleted'
end
local ttl = math.ceil(tonumber(ARGV[3]) - tonumber(ARGV[2]))
if ttl < 1 then ttl = 1 end
if redis.call('HEXISTS', KEYS[1], ${LUA_FIELD.retired}) == 1 then redis.call('DEL', KEYS[1]) end
redis.call('HSET', KEYS[1], ${LUA_FIELD.tombstone}, '1')
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 'absent'
`);

/**
 * Apply updates to several session hashes, each exactly as WRITE_SCRIPT
 * applies one: the updates of one event-loop turn, coalesced. KEYS: session
 * hashes (off Cluster only). ARGV: one update per key, in order, each as
 * `writeArguments` lays it out. Returns one 'ok', 'gone' or 'retired' per key.
 */
export const UPDATE_MANY_SCRIPT = luaScript(`${WRITE_CODEC}
local results = {}
local at = 1
for i, key in ipairs(KEYS) do
  local _, ttl, setFirst, setLast, delLast = decodeWrite(at)
  results[i] = applyUpdate(key, ttl, setFirst, setLast, delLast)
  at = delLast + 1
end
return results
`);
