-- Helper, included by write.lua and take.lua: retire ends the record a
-- regenerate replaces: deleted, or with a grace window (`grace` ms; nil or
-- 0: none) turned into its retired copy (creation time moved to
-- RETIRED_FIELD, TTL cut to the grace) that loads read-only and that no
-- update, regenerate, renewal, listing or revoke takes for a record.
local function retire(key, grace)
  if not grace or grace <= 0 then return redis.call('DEL', key) end
  local created = redis.call('HGET', key, ${createdAt})
  if not created then return 0 end
  redis.call('HDEL', key, ${createdAt})
  redis.call('HSET', key, ${retired}, created)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 or ttl > grace then redis.call('PEXPIRE', key, grace) end
  return 1
end
