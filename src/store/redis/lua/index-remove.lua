-- INDEX_REMOVE: remove sessions from a user's index. KEYS[1] the sorted set; ARGV the ids.
for i = 1, #ARGV, 1000 do
  redis.call('ZREM', KEYS[1], unpack(ARGV, i, math.min(#ARGV, i + 999)))
end
return 0
