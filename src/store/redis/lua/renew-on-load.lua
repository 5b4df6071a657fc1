-- Helper, included by load.lua: the renewal rule of a load, the Lua twin of
-- renewalOnLoad in src/core/expiry.ts (change both together; store
-- conformance proves them equal at every boundary). Takes the record's
-- HGETALL reply and the app's clock and policy; returns nothing when the
-- record is over (deleting it, unless it is no record at all: a tombstone
-- has no creation time and must stay), else its TTL after the load and 1
-- when it moved. The target TTL is the idle timeout, capped by what is left
-- of the absolute timeout and by a bound session's lease; a move is made
-- only when it is at least the renew interval, or when the key has no TTL;
-- a bound session's renewal records last-seen, in the same command.
local function renewOnLoad(key, fields, nowText, idle, absolute, interval)
  local created, lease, bound
  for i = 1, #fields, 2 do
    local name = fields[i]
    if name == ${createdAt} then created = tonumber(fields[i + 1])
    elseif name == ${lease} then lease = tonumber(fields[i + 1])
    elseif name == ${userId} then bound = true end
  end
  if not created then return nil end
  local now = tonumber(nowText)
  local target = idle
  if absolute > 0 and created + absolute - now < target then target = created + absolute - now end
  if lease and lease - now < target then target = lease - now end
  if target <= 0 then
    redis.call('DEL', key)
    return nil
  end
  local ttl = redis.call('PTTL', key)
  if ttl >= 0 and target - ttl < interval then return ttl, 0 end
  redis.call('PEXPIRE', key, target)
  if bound then redis.call('HSET', key, ${lastSeen}, nowText) end
  return target, 1
end
