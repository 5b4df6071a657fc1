-- Helpers of the session write scripts, the one reader of the layout that
-- writeArguments (src/store/redis/write-arguments.ts) writes:
--   kind ('create'|'update'), ttl ms ('' keeps the TTL), number of
--   field/value pairs, number of fields to delete, the pairs, the deletes.
-- inChunks runs `command` (HSET or HDEL) on `key` with ARGV[first..last], in
-- chunks, because unpack() is bounded by Lua's C stack (chunks of 1000 keep
-- field/value pairs together). decodeWrite reads the write at ARGV[at]: its
-- kind, TTL and argument ranges (the next write starts after delLast);
-- plain values, not a table, so a coalesced update allocates nothing.
-- applyWrite sets, deletes and moves the TTL; applyUpdate does so only to a
-- record (a hash with a creation time: a tombstone is none, so an update of
-- it is 'gone', and a retired record is none either: 'retired'). Only
-- refused updates pay for telling 'retired' from 'gone'. Only sets values
-- and TTLs, never read-modify-write, so a replay after a timeout has the
-- same effect.
local function inChunks(command, key, first, last)
  while first <= last do
    local stop = math.min(last, first + 999)
    redis.call(command, key, unpack(ARGV, first, stop))
    first = stop + 1
  end
end
local function decodeWrite(at)
  local setFirst = at + 4
  local setLast = setFirst + tonumber(ARGV[at + 2]) * 2 - 1
  local delLast = setLast + tonumber(ARGV[at + 3])
  return ARGV[at], ARGV[at + 1], setFirst, setLast, delLast
end
local function applyWrite(key, ttl, setFirst, setLast, delLast)
  if setFirst <= setLast then inChunks('HSET', key, setFirst, setLast) end
  if setLast < delLast then inChunks('HDEL', key, setLast + 1, delLast) end
  if ttl ~= '' then redis.call('PEXPIRE', key, ttl) end
end
local function applyUpdate(key, ttl, setFirst, setLast, delLast)
  if redis.call('HEXISTS', key, ${createdAt}) == 0 then
    if redis.call('HEXISTS', key, ${retired}) == 1 then return 'retired' end
    return 'gone'
  end
  applyWrite(key, ttl, setFirst, setLast, delLast)
  return 'ok'
end
