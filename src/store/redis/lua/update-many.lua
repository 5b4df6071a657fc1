-- UPDATE_MANY: updates of several session hashes, each exactly as
-- write.lua applies one: the updates of one event-loop turn, coalesced.
-- KEYS: session hashes (off Cluster only). ARGV: one update per key, in
-- order, each laid out as write-codec.lua describes.
-- Returns one 'ok', 'gone' or 'retired' per key.
--#include write-codec.lua
local results = {}
local at = 1
for i, key in ipairs(KEYS) do
  local _, ttl, setFirst, setLast, delLast = decodeWrite(at)
  results[i] = applyUpdate(key, ttl, setFirst, setLast, delLast)
  at = delLast + 1
end
return results
