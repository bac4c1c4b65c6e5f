-- template: sets a string with a TTL and returns the value it replaced; a starting point for new scripts
--
-- KEYS[1]: the key to set (string, or missing)
-- ARGV[1]: the new value (string)
-- ARGV[2]: time to live in seconds (integer, 1 to 2147483647)
-- Returns: the previous value (bulk string), or null when the key did not exist
-- Errors: ERR wrong number of keys or arguments; ERR ARGV[2] (ttl) must be...; WRONGTYPE

-- How to copy it: keep the header above exact (a linter reads it), validate every KEYS and ARGV
-- before the first write, make every variable and function local (Redis 7 forbids globals), return
-- integers, strings, arrays or {map = ...} (never a table with string keys: it arrives empty), keep
-- loops bounded, and log at DEBUG (NOTICE, the default log level, would log every call).

-- === Configuration ===
local MAX_TTL = 2147483647

-- === Helpers ===
local function fail(message)
  return redis.error_reply('ERR ' .. message)
end

local function log_debug(message)
  redis.log(redis.LOG_DEBUG, '[template] ' .. message)
end

-- Returns nil when the parameters are fine, else the error reply to send.
local function validate()
  if #KEYS ~= 1 or #ARGV ~= 2 then
    return fail(string.format('wrong number of keys or arguments: expected 1 key and 2 args (value, ttl), got %d and %d',
      #KEYS, #ARGV))
  end
  local ttl = string.match(ARGV[2], '^%d+$') and tonumber(ARGV[2])
  if not ttl or ttl < 1 or ttl > MAX_TTL then
    return fail(string.format("ARGV[2] (ttl) must be an integer from 1 to %d, got '%s'", MAX_TTL, string.sub(ARGV[2], 1, 40)))
  end
  return nil
end

-- === Main ===
local function main()
  local problem = validate()
  if problem then return problem end

  local key, value, ttl = KEYS[1], ARGV[1], tonumber(ARGV[2])
  log_debug('setting ' .. key)
  -- SET ... GET (6.2+) returns the old value in the same step: false when there was none.
  local previous = redis.call('SET', key, value, 'EX', ttl, 'GET')
  return previous
end

-- === Entry point ===
return main()
