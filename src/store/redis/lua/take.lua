-- TAKE: delete the session a regenerate replaces, on a Cluster, where the
-- old and new sessions' keys are in different slots. KEYS[1] the old
-- session hash. Returns 1 when a record was deleted, 0 when there was none:
-- a tombstone is not a record, so a regenerate of a session that died
-- meanwhile is refused even when "log out everywhere" left a tombstone on it.
if redis.call('HEXISTS', KEYS[1], ${createdAt}) == 0 then return 0 end
return redis.call('DEL', KEYS[1])
