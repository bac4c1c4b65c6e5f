-- safe_increment: increments a counter, first replacing a string that is not an integer with 0; other data is never overwritten
--
-- KEYS[1]: the counter (string; missing means 0)
-- ARGV[1]: increment, may be negative (integer, -9007199254740991 to 9007199254740991)
-- Returns: array {new_value (integer), reset (integer, 1 when a non-integer string was replaced, else 0)}
-- Errors: WRONGTYPE (the key holds a list, hash...); ERR value is not an integer or out of range (an integer too large for 64 bits); ERR increment or decrement would overflow; ERR wrong number of keys or arguments; ERR ARGV[1] (increment) must be...

-- The guide caught any INCRBY error with redis.pcall and then ran SET key 0: a list or hash under the
-- key was destroyed, and so was a valid counter whose increment overflowed. Only a string that is not
-- an integer is reset now (keeping its TTL); every other error is passed on.

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
increment = increment + 0 -- -0 would reach Redis as "-0", which INCRBY refuses

local result = redis.pcall('INCRBY', KEYS[1], increment)
if type(result) == 'number' then
  return {result, 0}
end

-- INCRBY failed. Reset only a string value that does not even look like an integer.
if redis.call('TYPE', KEYS[1]).ok ~= 'string' or string.match(redis.call('GET', KEYS[1]), '^%-?%d+$') then
  return redis.error_reply(result.err)
end
redis.call('SET', KEYS[1], increment, 'KEEPTTL')
return {increment, 1}
