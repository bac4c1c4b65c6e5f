#!lua flags=no-writes
-- counter/sharded_get: reads the total of a counter split over several keys
--
-- KEYS[1]: shard 0 of the counter (string holding an integer; missing means 0)
-- KEYS[2..N]: shards 1 to N-1, the same keys as for counter/sharded_incr, at most 1024 (string holding an integer)
-- Returns: the sum of the shards (integer)
-- Errors: ERR wrong number of keys or arguments; ERR KEYS[n] holds...; ERR total passes 9007199254740991...

-- Read-only (no-writes): runs through EVALSHA_RO and on replicas.
-- The guide summed `counter:shard:<i>` keys built from ARGV; every shard key is now declared.

local MAX_INT = 9007199254740991 -- 2^53 - 1: the largest integer a Lua number holds exactly
local MAX_SHARDS = 1024

if #KEYS < 1 or #KEYS > MAX_SHARDS or #ARGV ~= 0 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 1 to 1024 keys (shards) and no args, got %d and %d', #KEYS, #ARGV))
end

local values = redis.call('MGET', unpack(KEYS))
local total = 0
for i = 1, #KEYS do
  local raw = values[i]
  if raw then
    local n = string.match(raw, '^%-?%d+$') and tonumber(raw)
    if not n then
      return redis.error_reply(string.format('ERR KEYS[%d] holds a value that is not an integer', i))
    end
    total = total + n
    -- Past 2^53 a Lua number (a double) no longer counts by ones: refuse rather than round.
    if math.abs(total) > MAX_INT then
      return redis.error_reply('ERR total passes 9007199254740991, too large to sum exactly in Lua; sum the shards with MGET')
    end
  elseif redis.call('EXISTS', KEYS[i]) == 1 then
    -- MGET answers nil for a key of another type: do not count it as 0.
    return redis.error_reply(string.format('ERR KEYS[%d] holds a %s, expected a string', i, redis.call('TYPE', KEYS[i]).ok))
  end
end
return total
