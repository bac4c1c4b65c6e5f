-- lock_release: releases a lock, only for the owner whose token is stored in it
--
-- KEYS[1]: the lock (string holding the owner's token)
-- ARGV[1]: the token given to lock_acquire (string, not empty)
-- Returns: 1 when released, 0 when the caller does not hold the lock: another owner holds it or it expired (integer)
-- Errors: ERR wrong number of keys or arguments; ERR ARGV[1] (token) must not be empty; WRONGTYPE

if #KEYS ~= 1 or #ARGV ~= 1 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 1 key (lock) and 1 arg (token), got %d and %d', #KEYS, #ARGV))
end
if ARGV[1] == '' then
  return redis.error_reply('ERR ARGV[1] (token) must not be empty')
end

if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
