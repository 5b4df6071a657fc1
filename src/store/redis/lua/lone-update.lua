-- Included by write.lua: its update path, the write of every changed
-- request, written out rather than through write-codec.lua: Redis runs a
-- script's whole body on every call, and defining the codec's functions
-- costs more than the update itself. It reads the one write at ARGV[1] as
-- decodeWrite does and acts as applyUpdate does, sending up to 500 pairs
-- (1000 deletes) as one HSET (HDEL), the common case, and larger writes in
-- chunks of 1000, because unpack() is bounded by Lua's C stack.
if redis.call('HEXISTS', key, ${createdAt}) == 0 then
  if redis.call('HEXISTS', key, ${retired}) == 1 then return 'retired' end
  return 'gone'
end
local setLast = 4 + tonumber(ARGV[3]) * 2
local delLast = setLast + tonumber(ARGV[4])
if setLast >= 5 then
  if setLast <= 1004 then redis.call('HSET', key, unpack(ARGV, 5, setLast))
  else for first = 5, setLast, 1000 do redis.call('HSET', key, unpack(ARGV, first, math.min(setLast, first + 999))) end end
end
if delLast > setLast then
  if delLast - setLast <= 1000 then redis.call('HDEL', key, unpack(ARGV, setLast + 1, delLast))
  else for first = setLast + 1, delLast, 1000 do redis.call('HDEL', key, unpack(ARGV, first, math.min(delLast, first + 999))) end end
end
if ARGV[2] ~= '' then redis.call('PEXPIRE', key, ARGV[2]) end
return 'ok'
