-- LOAD: a session and the renewal of its expiry when due, in one command.
-- KEYS[1] session hash. ARGV: now (epoch ms), idle ms, absolute ms (0 = none), renew interval ms,
-- then the caps of a session's own expiry: max idle ms and max absolute ms
-- ('' or left out: no cap; max absolute 0 = a session may have no absolute timeout).
-- Returns nil when missing or expired, else { flat field list, ttl ms, renewed 0|1 }.
-- `now` comes from the app's clock so app and store agree on the absolute deadline.
--#include renew-on-load.lua
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then return false end
local ttl, renewed = renewOnLoad(KEYS[1], fields, ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5] or ''), tonumber(ARGV[6] or ''))
if not ttl then return false end
return { fields, ttl, renewed }
