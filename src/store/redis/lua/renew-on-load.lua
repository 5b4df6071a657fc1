-- Helper, included by load.lua: the renewal rule of a load, the Lua twin of
-- renewalOnLoad in src/core/expiry.ts (change both together; store
-- conformance proves them equal at every boundary). Takes the record's
-- HGETALL reply and the app's clock and policy; returns nothing when the
-- record is over (deleting it, unless it is no record at all: a tombstone
-- has no creation time and must stay), else its TTL after the load and 1
-- when it moved. A retired record (a regenerate's read-only copy, see
-- RETIRED_FIELD) lives out its grace: its TTL, never moved. A session's own
-- expiry (EXPIRY_FIELD, `session.setExpiry`) replaces the idle and absolute
-- timeouts, each cut to the manager's maximum (maxIdle, maxAbsolute: nil for
-- no cap; see withSessionExpiry). The target TTL is the idle timeout, capped
-- by what is left of the absolute timeout and by a bound session's lease; a
-- move is made only when it is at least the renew interval (for a record
-- with its own expiry, a cut back to a lowered maximum too: isCutDue), or
-- when the key has no TTL; a bound session's renewal records last-seen, in
-- the same command.
local function renewOnLoad(key, fields, nowText, idle, absolute, interval, maxIdle, maxAbsolute)
  local created, lease, bound, own, retired, tombstone
  for i = 1, #fields, 2 do
    local name = fields[i]
    if name == ${createdAt} then created = tonumber(fields[i + 1])
    elseif name == ${lease} then lease = tonumber(fields[i + 1])
    elseif name == ${userId} then bound = true
    elseif name == ${expiry} then own = fields[i + 1]
    elseif name == ${retired} then retired = tonumber(fields[i + 1])
    elseif name == ${tombstone} then tombstone = true end
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
  if bound then redis.call('HSET', key, ${lastSeen}, nowText) end
  return target, 1
end
