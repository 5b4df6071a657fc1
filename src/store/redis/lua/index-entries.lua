-- INDEX_ENTRIES: a window of a user's index entries whose lease has not
-- ended, newest lease first, pruning those that have. KEYS[1] the sorted
-- set; ARGV: now, first rank, last rank (-1 = to the end).
-- Returns { id, lease, id, lease... }.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZREVRANGE', KEYS[1], ARGV[2], ARGV[3], 'WITHSCORES')
