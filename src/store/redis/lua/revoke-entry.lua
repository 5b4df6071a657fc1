-- REVOKE_ENTRY: make one index entry unable to be a live session
-- (revokeUserSessions). KEYS[1] session hash; ARGV: user id, now, the
-- entry's lease end (epoch ms), '1' to leave the user's own record alone
-- ('live': a listing).
-- A record bound to the user is deleted ('deleted'); a record bound to
-- anyone else, or unbound, is left alone ('foreign'); with no record, a
-- tombstone is left until the lease end ('absent'), so a create of the id
-- that is still on its way (a login between its index write and its
-- session write) is refused. A regenerate's retired copy under the id is
-- deleted first: its data goes with it. The tombstone's lifetime is relative
-- to the app's `now`, like every TTL here; it never lowers an existing one.
if redis.call('HEXISTS', KEYS[1], ${createdAt}) == 1 then
  if redis.call('HGET', KEYS[1], ${userId}) ~= ARGV[1] then return 'foreign' end
  if ARGV[4] == '1' then return 'live' end
  redis.call('DEL', KEYS[1])
  return 'deleted'
end
local ttl = math.ceil(tonumber(ARGV[3]) - tonumber(ARGV[2]))
if ttl < 1 then ttl = 1 end
if redis.call('HEXISTS', KEYS[1], ${retired}) == 1 then redis.call('DEL', KEYS[1]) end
redis.call('HSET', KEYS[1], ${tombstone}, '1')
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 'absent'
