-- TAKE_FIELDS: read and delete fields of a session (flash messages) in one
-- atomic step, so of two concurrent takers only one gets each value.
-- KEYS[1] session hash; ARGV the field names. Returns { 'ok', text... }
-- ('' for an absent field: no stored text is empty), or { 'gone' } /
-- { 'retired' } when the hash is no session (nothing deleted).
--#include record-status.lua
local why = noRecord()
if why then return { why } end
local values = redis.call('HMGET', KEYS[1], unpack(ARGV))
redis.call('HDEL', KEYS[1], unpack(ARGV))
local reply = { 'ok' }
for i = 1, #ARGV do reply[i + 1] = values[i] or '' end
return reply
