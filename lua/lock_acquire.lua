-- lock_acquire: takes a lock that expires by itself; retrying with the same token refreshes it
--
-- KEYS[1]: the lock (string holding the owner's token)
-- ARGV[1]: the owner's token, unique per acquisition, e.g. a UUID (string, not empty)
-- ARGV[2]: time to live in milliseconds (integer, 1 to 2147483647)
-- Returns: array {1, ttl_ms} when the caller holds the lock, {0, ttl_ms_left} when another owner holds it (ttl -1: that lock has no TTL)
-- Errors: ERR wrong number of keys or arguments; ERR ARGV[n] (...) must be...; WRONGTYPE

-- The guide returned the holder's token to whoever failed to get the lock: anyone could then pass it
-- to lock_release. A contender learns only how long to wait.
-- Acquiring again with the token already held succeeds and resets the TTL, so a client that retries
-- after a lost reply does not lock itself out.

if #KEYS ~= 1 or #ARGV ~= 2 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 1 key (lock) and 2 args (token, ttl_ms), got %d and %d',
    #KEYS, #ARGV))
end
local token = ARGV[1]
if token == '' then
  return redis.error_reply('ERR ARGV[1] (token) must not be empty')
end
local ttl = string.match(ARGV[2], '^%d+$') and tonumber(ARGV[2])
if not ttl or ttl < 1 or ttl > 2147483647 then
  return redis.error_reply("ERR ARGV[2] (ttl_ms) must be an integer from 1 to 2147483647, got '"
    .. string.sub(ARGV[2], 1, 40) .. "'")
end

local holder = redis.call('GET', KEYS[1]) -- false when nobody holds the lock
if holder and holder ~= token then
  return {0, redis.call('PTTL', KEYS[1])}
end
redis.call('SET', KEYS[1], token, 'PX', ttl)
return {1, ttl}
