-- counter/sharded_incr: adds to one shard of a counter split over several keys, the shard chosen by the caller's hint
--
-- KEYS[1]: shard 0 of the counter (string holding an integer)
-- KEYS[2..N]: shards 1 to N-1, in order, at most 1024 shards in all (string holding an integer)
-- ARGV[1]: increment, may be negative (integer, -9007199254740991 to 9007199254740991, not 0)
-- ARGV[2]: shard hint, e.g. a random number or a client id; shard = hint mod N (integer, 0 to 2147483647)
-- Returns: array {shard (integer, 0-based), shard_value (integer, the shard's new value)}
-- Errors: ERR wrong number of keys or arguments; ERR ARGV[n] (...) must be...; ERR value is not an integer or out of range; WRONGTYPE

-- Read the total with counter/sharded_get and the same keys in the same order.
-- The guide built shard keys from ARGV (a cluster cannot route them) and picked the shard from TIME;
-- every shard key is now declared and the caller picks. Cluster: one script may only touch one slot,
-- so give the shards one hash tag (`views:{video:1}:0` ...) or call INCRBY on a single shard key.

local MAX_INT = 9007199254740991 -- 2^53 - 1: the largest integer a Lua number holds exactly
local MAX_SHARDS = 1024

if #KEYS < 1 or #KEYS > MAX_SHARDS or #ARGV ~= 2 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 1 to 1024 keys (shards) and 2 args (increment, hint), got %d and %d',
    #KEYS, #ARGV))
end

local increment = string.match(ARGV[1], '^%-?%d+$') and tonumber(ARGV[1])
if not increment or increment == 0 or math.abs(increment) > MAX_INT then
  return redis.error_reply("ERR ARGV[1] (increment) must be a non-zero integer from -9007199254740991 to 9007199254740991, got '"
    .. string.sub(ARGV[1], 1, 40) .. "'")
end
local hint = string.match(ARGV[2], '^%d+$') and tonumber(ARGV[2])
if not hint or hint > 2147483647 then
  return redis.error_reply("ERR ARGV[2] (hint) must be an integer from 0 to 2147483647, got '"
    .. string.sub(ARGV[2], 1, 40) .. "'")
end

local shard = hint % #KEYS
return {shard, redis.call('INCRBY', KEYS[shard + 1], increment)}
