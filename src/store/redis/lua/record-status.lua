-- Helper of the single-field scripts: nil when KEYS[1] is a session record
-- (it has a creation time), else why not: 'retired' for a regenerate's
-- read-only copy, 'gone' for a missing hash or a tombstone. Those scripts
-- write nothing then, so no dead session is brought back.
local function noRecord()
  if redis.call('HEXISTS', KEYS[1], ${createdAt}) == 1 then return nil end
  if redis.call('HEXISTS', KEYS[1], ${retired}) == 1 then return 'retired' end
  return 'gone'
end
