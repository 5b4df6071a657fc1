-- REVOKE: delete a session, optionally only if bound to a given user, and
-- say whom it was bound to. KEYS[1] session hash; ARGV: '1' to check the
-- owner, the expected user id. Returns nil when nothing was deleted, else
-- the user id ('' when the session was not bound).
if redis.call('HEXISTS', KEYS[1], ${createdAt}) == 0 then return false end
local owner = redis.call('HGET', KEYS[1], ${userId})
if ARGV[1] == '1' and owner ~= ARGV[2] then return false end
if redis.call('DEL', KEYS[1]) == 0 then return false end
return owner or ''
