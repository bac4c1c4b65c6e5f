-- safe_batch_operations: runs INCR, LPUSH and ZADD independently and reports each one's result or error
--
-- KEYS[1]: counter for INCR (string holding an integer)
-- KEYS[2]: list for LPUSH (list)
-- KEYS[3]: sorted set for ZADD (zset)
-- ARGV[1]: value to push on KEYS[2] (string)
-- ARGV[2]: score for ZADD (string, a float as ZADD accepts it)
-- ARGV[3]: member for ZADD (string)
-- Returns: array of 3 entries in the order INCR, LPUSH, ZADD; each {1, reply (integer)} or {0, error (string, the command's error reply)}
-- Errors: ERR wrong number of keys or arguments

-- Not all-or-nothing, on purpose: an operation that fails does not undo the ones that succeeded.
-- redis.pcall returns the failure as a {err = ...} table instead of stopping the script.
-- Cluster: the three keys must share a hash tag, e.g. `{batch:7}:count`, `{batch:7}:log`, `{batch:7}:rank`.

if #KEYS ~= 3 or #ARGV ~= 3 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 3 keys (counter, list, zset) and 3 args (value, score, member), got %d and %d',
    #KEYS, #ARGV))
end

-- The guide returned {results = ..., errors = ...}: Redis drops string keys, so callers got an empty
-- array. Its sparse tables also made #results and #errors meaningless. One entry per operation instead.
local function outcome(reply)
  if type(reply) == 'table' and reply.err then
    return {0, reply.err}
  end
  return {1, reply}
end

return {
  outcome(redis.pcall('INCR', KEYS[1])),
  outcome(redis.pcall('LPUSH', KEYS[2], ARGV[1])),
  outcome(redis.pcall('ZADD', KEYS[3], ARGV[2], ARGV[3])),
}
