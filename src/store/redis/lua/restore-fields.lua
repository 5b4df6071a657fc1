-- RESTORE_FIELDS: put back the flash messages a failed request took, each
-- only where the field is absent now (a newer flash of the key wins), and
-- only on a session record. KEYS[1] session hash; ARGV field, text pairs.
-- Returns the number of fields set.
--#include record-status.lua
if noRecord() then return 0 end
local set = 0
for i = 1, #ARGV, 2 do set = set + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
return set
