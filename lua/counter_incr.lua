-- counter_incr: adds an integer to a counter atomically and returns the new value
--
-- KEYS[1]: the counter (string holding an integer; missing means 0)
-- ARGV[1]: increment, may be negative (integer, -9007199254740991 to 9007199254740991)
-- Returns: the new value (integer)
-- Errors: ERR wrong number of keys or arguments; ERR ARGV[1] (increment) must be...; ERR value is not an integer or out of range; ERR increment or decrement would overflow; WRONGTYPE

-- INCRBY rather than the guide's GET + SET: it refuses a value that is not an integer instead of
-- silently replacing it with the increment, and it keeps the key's TTL.

local MAX_INT = 9007199254740991 -- 2^53 - 1: the largest integer a Lua number holds exactly

if #KEYS ~= 1 or #ARGV ~= 1 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 1 key (counter) and 1 arg (increment), got %d and %d',
    #KEYS, #ARGV))
end

local increment = string.match(ARGV[1], '^%-?%d+$') and tonumber(ARGV[1])
if not increment or math.abs(increment) > MAX_INT then
  return redis.error_reply("ERR ARGV[1] (increment) must be an integer from -9007199254740991 to 9007199254740991, got '"
    .. string.sub(ARGV[1], 1, 40) .. "'")
end

-- `+ 0` turns -0 into 0, which Redis would otherwise receive as the string "-0".
return redis.call('INCRBY', KEYS[1], increment + 0)
