-- INSPECT: a session's reserved fields and TTL, for listings. KEYS[1]
-- session hash; ARGV the field names. Returns nil when there is no record
-- (a tombstone is none), else { ttl ms, values... } (a missing field is
-- nil). Data fields are never read.
if redis.call('HEXISTS', KEYS[1], ${createdAt}) == 0 then return false end
local ttl = redis.call('PTTL', KEYS[1])
local values = redis.call('HMGET', KEYS[1], unpack(ARGV))
return { ttl, unpack(values) }
