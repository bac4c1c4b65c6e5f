-- increment_with_max: increments a counter unless the result would pass a maximum
--
-- KEYS[1]: the counter (string holding an integer; missing means 0)
-- ARGV[1]: increment (integer, 1 to 9007199254740991)
-- ARGV[2]: maximum value the counter may reach (integer, -9007199254740991 to 9007199254740991)
-- Returns: the new value (integer)
-- Errors: ERR would exceed maximum value (...); ERR wrong number of keys or arguments; ERR ARGV[n] (...) must be...; ERR KEYS[1] (counter) holds...; WRONGTYPE

local MAX_INT = 9007199254740991 -- 2^53 - 1: the largest integer a Lua number holds exactly

local function int_arg(i, name, min, max)
  local n = string.match(ARGV[i], '^%-?%d+$') and tonumber(ARGV[i])
  if not n or n < min or n > max then
    return nil, redis.error_reply(string.format("ERR ARGV[%d] (%s) must be an integer from %d to %d, got '%s'",
      i, name, min, max, string.sub(ARGV[i], 1, 40)))
  end
  return n + 0
end

if #KEYS ~= 1 or #ARGV ~= 2 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 1 key (counter) and 2 args (increment, max), got %d and %d',
    #KEYS, #ARGV))
end
local increment, err = int_arg(1, 'increment', 1, MAX_INT)
if not increment then return err end
local max_value
max_value, err = int_arg(2, 'max', -MAX_INT, MAX_INT)
if not max_value then return err end

-- A missing key reads as false; a value that is not an integer is refused before the check,
-- instead of being compared as 0.
local raw = redis.call('GET', KEYS[1])
local current = 0
if raw then
  current = string.match(raw, '^%-?%d+$') and tonumber(raw)
  if not current or math.abs(current) > MAX_INT then
    return redis.error_reply('ERR KEYS[1] (counter) holds a value that is not an integer')
  end
end

if current + increment > max_value then
  return redis.error_reply(string.format('ERR would exceed maximum value (current %d + increment %d > max %d)',
    current, increment, max_value))
end

return redis.call('INCRBY', KEYS[1], increment)
