-- COMPARE_AND_SET_FIELD: set a session data field to a new text only if its
-- text is exactly the expected one, atomically (session.compareAndSet).
-- KEYS[1] session hash; ARGV[1] the field, ARGV[2] '1' when a value is
-- expected (ARGV[3] its text) or '0' when absence is, ARGV[4] '1' to set
-- ARGV[5] or '0' to delete. Returns { 'ok' }, { 'mismatch', current text
-- ('' when absent) }, or { 'gone' } / { 'retired' }.
--#include record-status.lua
local why = noRecord()
if why then return { why } end
local current = redis.call('HGET', KEYS[1], ARGV[1])
local matches
if ARGV[2] == '1' then matches = current == ARGV[3] else matches = current == false end
if not matches then return { 'mismatch', current or '' } end
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[5]) else redis.call('HDEL', KEYS[1], ARGV[1]) end
return { 'ok' }
