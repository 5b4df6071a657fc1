-- INCREMENT_FIELD: add an integer to a session data field holding a JSON
-- integer (absent: 0), atomically (session.increment). KEYS[1] session
-- hash; ARGV[1] the field, ARGV[2] the integer to add. Returns { 'ok', new
-- text }, { 'not-integer' } (the stored text is no integer, or the sum is
-- past 2^53 - 1 in size: nothing changes), or { 'gone' } / { 'retired' }.
-- Lua numbers are doubles: exact for every safe integer, which is all this
-- accepts; %d writes the sum as JSON.stringify would.
--#include record-status.lua
local why = noRecord()
if why then return { why } end
local text = redis.call('HGET', KEYS[1], ARGV[1]) or '0'
if not (string.match(text, '^%-?[1-9]%d*$') or text == '0') or #text > 17 then return { 'not-integer' } end
local sum = tonumber(text) + tonumber(ARGV[2])
if sum > 9007199254740991 or sum < -9007199254740991 then return { 'not-integer' } end
local written = string.format('%d', sum)
redis.call('HSET', KEYS[1], ARGV[1], written)
return { 'ok', written }
