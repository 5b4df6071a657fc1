-- INDEX_ADD: add (or extend) one session in a user's index, in one command.
-- KEYS[1] the user's sorted set (member = session id, score = lease end, epoch ms).
-- ARGV: now, session id, lease end, then ids to remove.
-- Drops entries whose lease ended (lazy pruning: no keyspace notifications),
-- never lowers a lease (two racing extensions keep the later one), and keeps
-- the key's own TTL at the largest lease, so an index whose sessions all
-- expired without traffic disappears by itself. TTLs are relative to the
-- app's `now`, like the sessions' own, so Redis's clock does not matter.
-- Returns the number of entries left.
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
