#!lua name=toolkit
-- toolkit: lock_acquire, lock_release and counter_incr as one Redis Functions library (FUNCTION LOAD),
-- the worked example of docs/functions.md. The same contracts as lua/lock_acquire.lua,
-- lua/lock_release.lua and lua/counter_incr.lua, called with FCALL instead of EVALSHA:
-- rscript exec toolkit.lock_acquire --keys lock:a --args token-1 5000

local MAX_INT = 9007199254740991 -- 2^53 - 1: the largest integer a Lua number holds exactly

local function wrong_count(keys, args, nkeys, nargs, expected)
  if #keys ~= nkeys or #args ~= nargs then
    return redis.error_reply(string.format('ERR wrong number of keys or arguments: expected %s, got %d and %d', expected, #keys, #args))
  end
  return nil
end

-- lock_acquire: takes a lock that expires by itself; retrying with the same token refreshes it
--
-- KEYS[1]: the lock (string holding the owner's token)
-- ARGV[1]: the owner's token, unique per acquisition, e.g. a UUID (string, not empty)
-- ARGV[2]: time to live in milliseconds (integer, 1 to 2147483647)
-- Returns: array {1, ttl_ms} when the caller holds the lock, {0, ttl_ms_left} when another owner holds it
local function lock_acquire(keys, args)
  local bad = wrong_count(keys, args, 1, 2, '1 key (lock) and 2 args (token, ttl_ms)')
  if bad then return bad end
  local token = args[1]
  if token == '' then
    return redis.error_reply('ERR ARGV[1] (token) must not be empty')
  end
  local ttl = string.match(args[2], '^%d+$') and tonumber(args[2])
  if not ttl or ttl < 1 or ttl > 2147483647 then
    return redis.error_reply("ERR ARGV[2] (ttl_ms) must be an integer from 1 to 2147483647, got '" .. string.sub(args[2], 1, 40) .. "'")
  end
  local holder = redis.call('GET', keys[1]) -- false when nobody holds the lock
  if holder and holder ~= token then
    return {0, redis.call('PTTL', keys[1])}
  end
  redis.call('SET', keys[1], token, 'PX', ttl)
  return {1, ttl}
end

-- lock_release: releases a lock, only for the owner whose token is stored in it
--
-- KEYS[1]: the lock (string holding the owner's token)
-- ARGV[1]: the token given to lock_acquire (string, not empty)
-- Returns: 1 when released, 0 when the caller does not hold the lock (integer)
local function lock_release(keys, args)
  local bad = wrong_count(keys, args, 1, 1, '1 key (lock) and 1 arg (token)')
  if bad then return bad end
  if args[1] == '' then
    return redis.error_reply('ERR ARGV[1] (token) must not be empty')
  end
  if redis.call('GET', keys[1]) == args[1] then
    redis.call('DEL', keys[1])
    return 1
  end
  return 0
end

-- counter_incr: adds an integer to a counter atomically and returns the new value
--
-- KEYS[1]: the counter (string holding an integer; missing means 0)
-- ARGV[1]: increment, may be negative (integer, -9007199254740991 to 9007199254740991)
-- Returns: the new value (integer)
local function counter_incr(keys, args)
  local bad = wrong_count(keys, args, 1, 1, '1 key (counter) and 1 arg (increment)')
  if bad then return bad end
  local increment = string.match(args[1], '^%-?%d+$') and tonumber(args[1])
  if not increment or math.abs(increment) > MAX_INT then
    return redis.error_reply("ERR ARGV[1] (increment) must be an integer from -9007199254740991 to 9007199254740991, got '"
      .. string.sub(args[1], 1, 40) .. "'")
  end
  -- `+ 0` turns -0 into 0, which Redis would otherwise receive as the string "-0".
  return redis.call('INCRBY', keys[1], increment + 0)
end

redis.register_function('lock_acquire', lock_acquire)
redis.register_function('lock_release', lock_release)
redis.register_function('counter_incr', counter_incr)
