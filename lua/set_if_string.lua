-- set_if_string: sets a string value, refusing to replace a key that holds another type
--
-- KEYS[1]: the key to set (string, or missing)
-- ARGV[1]: the value (string)
-- Returns: status OK
-- Errors: WRONGTYPE KEYS[1] holds a <type>, expected a string or no key; ERR wrong number of keys or arguments

-- From the guide's "test_script.lua": its assert() helper built an error reply and nobody returned
-- it, so the script went on and SET replaced a list or a hash. A check now returns its error.

local function check()
  if #KEYS ~= 1 or #ARGV ~= 1 then
    return string.format(
      'ERR wrong number of keys or arguments: expected 1 key and 1 arg (value), got %d and %d', #KEYS, #ARGV)
  end
  local key_type = redis.call('TYPE', KEYS[1]).ok
  if key_type ~= 'string' and key_type ~= 'none' then
    return 'WRONGTYPE KEYS[1] holds a ' .. key_type .. ', expected a string or no key'
  end
  return nil
end

local problem = check()
if problem then
  redis.log(redis.LOG_DEBUG, 'set_if_string refused: ' .. problem)
  return redis.error_reply(problem)
end

-- SET would also drop the key's TTL; that is what SET means, so it is kept.
return redis.call('SET', KEYS[1], ARGV[1])
