-- TAKE: delete (or, with a grace window, retire) the session a regenerate
-- replaces, on a Cluster, where the old and new sessions' keys are in
-- different slots. KEYS[1] the old session hash; ARGV[1] (optional) the
-- grace window in ms. Returns 1 when a record was taken, 0 when there was
-- none: a tombstone (or a retired copy) is not a record, so a regenerate of
-- a session that died meanwhile is refused even when "log out everywhere"
-- left a tombstone on it.
--#include retire.lua
if redis.call('HEXISTS', KEYS[1], ${createdAt}) == 0 then return 0 end
return retire(KEYS[1], tonumber(ARGV[1] or ''))
