-- WRITE: one write to a session hash, atomically.
-- KEYS[1] session hash; KEYS[2] (optional) the hash it replaces (regenerate).
-- ARGV: one write, as write-codec.lua describes the layout (a regenerate's
-- grace window, in ms, after it: the replaced hash is retired, not deleted).
-- Returns 'ok', 'gone' (update target or replaced session no longer exists),
-- 'retired' (update of a regenerate's read-only copy: nothing written),
-- 'exists', or 'revoked' (a create of an id "log out everywhere" left a
-- tombstone on: the replaced session is deleted too, so the login or
-- regenerate fails closed).
-- One script for both kinds, so a login has already loaded it into Redis
-- before the session's first update; the update comes first and defines
-- nothing (lone-update.lua), the create's helpers are defined only when it runs.
local key = KEYS[1]
if ARGV[1] ~= 'create' then
--#include lone-update.lua
end
--#include write-codec.lua
--#include retire.lua
local _, ttl, setFirst, setLast, delLast = decodeWrite(1)
if KEYS[2] and redis.call('HEXISTS', KEYS[2], ${createdAt}) == 0 then return 'gone' end
if redis.call('HEXISTS', key, ${tombstone}) == 1 then
  if KEYS[2] then redis.call('DEL', KEYS[2]) end
  return 'revoked'
end
if redis.call('EXISTS', key) == 1 then return 'exists' end
if KEYS[2] then retire(KEYS[2], tonumber(ARGV[delLast + 1] or '')) end
applyWrite(key, ttl, setFirst, setLast, delLast)
return 'ok'
