import { createHash } from "node:crypto";

/** A Lua script with its SHA-1, for EVALSHA with an EVAL fallback. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/**
 * Load a session and renew its expiry when due, in one command.
 * KEYS[1] session hash. ARGV: now, idle ms, absolute ms (0 = none), renew interval ms.
 * Returns nil when missing or expired, else { flat field list, ttl ms, renewed 0|1 }.
 * `now` comes from the app's clock so app and store agree on the absolute deadline.
 */
export const LOAD_SCRIPT = script(`
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then return false end
local created
for i = 1, #fields, 2 do
  if fields[i] == '@c' then created = tonumber(fields[i + 1]) break end
end
if not created then return false end
local now = tonumber(ARGV[1])
local target = tonumber(ARGV[2])
local absolute = tonumber(ARGV[3])
if absolute > 0 and created + absolute - now < target then target = created + absolute - now end
if target <= 0 then
  redis.call('DEL', KEYS[1])
  return false
end
local ttl = redis.call('PTTL', KEYS[1])
local renewed = 0
if ttl < 0 or target - ttl >= tonumber(ARGV[4]) then
  redis.call('PEXPIRE', KEYS[1], target)
  ttl = target
  renewed = 1
end
return { fields, ttl, renewed }
`);

/**
 * Apply one write to a session hash atomically.
 * KEYS[1] session hash; KEYS[2] (optional) the hash it replaces (regenerate).
 * ARGV: kind ('create'|'update'), ttl ms, number of field/value pairs, the pairs, then fields to delete.
 * Returns 'ok', 'gone' (update target or replaced session no longer exists) or 'exists'.
 * Only sets values and TTLs, never read-modify-write, so a replay after a
 * timeout has the same effect.
 */
export const WRITE_SCRIPT = script(`
local key = KEYS[1]
local nset = tonumber(ARGV[3])
if ARGV[1] == 'create' then
  if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 0 then return 'gone' end
  if redis.call('EXISTS', key) == 1 then return 'exists' end
  if KEYS[2] then redis.call('DEL', KEYS[2]) end
elseif redis.call('EXISTS', key) == 0 then
  return 'gone'
end
local first = 4
local last = 3 + nset * 2
-- unpack() is bounded by Lua's C stack, so large writes go in chunks.
while first <= last do
  local stop = math.min(last, first + 999)
  redis.call('HSET', key, unpack(ARGV, first, stop))
  first = stop + 1
end
first = last + 1
while first <= #ARGV do
  local stop = math.min(#ARGV, first + 999)
  redis.call('HDEL', key, unpack(ARGV, first, stop))
  first = stop + 1
end
redis.call('PEXPIRE', key, ARGV[2])
return 'ok'
`);
