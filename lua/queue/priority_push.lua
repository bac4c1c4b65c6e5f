-- queue/priority_push: adds an item to a priority queue; items leave by priority, then first in first out
--
-- KEYS[1]: the queue, item ids scored by priority (zset)
-- KEYS[2]: item payloads, item id -> data (hash)
-- KEYS[3]: id sequence (string holding an integer)
-- KEYS[4]: statistics, fields total_pushed, total_popped, priority:<n> (hash)
-- ARGV[1]: priority, 0 is the most urgent (integer, 0 to 9)
-- ARGV[2]: item data (string)
-- Returns: array {item_id (string, 15 digits), position (integer, 0-based rank in the queue)}
-- Errors: ERR wrong number of keys or arguments; ERR ARGV[1] (priority) must be...; ERR id sequence exhausted; WRONGTYPE

-- The score is the priority alone; the member is the id zero-padded to 15 digits, and a sorted set
-- orders equal scores by member bytes, so items of one priority leave in push order. (The guide
-- scored priority * 1e9 + timestamp: Unix seconds are already past 1e9, so priorities overlapped,
-- and items pushed in the same second left in string order of their ids: "10" before "9".)
-- Payloads live in one hash, not one key per item, so every key is declared and popping never meets
-- an id whose payload expired. Cluster: the four keys must share a hash tag, e.g. `{jobs}:queue`,
-- `{jobs}:items`, `{jobs}:seq`, `{jobs}:stats`.

local MAX_ID = 999999999999999 -- 15 digits

if #KEYS ~= 4 or #ARGV ~= 2 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 4 keys (queue, items, seq, stats) and 2 args (priority, data), got %d and %d',
    #KEYS, #ARGV))
end
local priority = string.match(ARGV[1], '^%d$') and tonumber(ARGV[1])
if not priority then
  return redis.error_reply("ERR ARGV[1] (priority) must be an integer from 0 to 9, got '" .. string.sub(ARGV[1], 1, 40) .. "'")
end

-- Fail before writing anything if a key holds the wrong type.
local expected = {'zset', 'hash', 'string', 'hash'}
for i = 1, 4 do
  local t = redis.call('TYPE', KEYS[i]).ok
  if t ~= expected[i] and t ~= 'none' then
    return redis.error_reply(string.format('WRONGTYPE KEYS[%d] holds a %s, expected a %s', i, t, expected[i]))
  end
end

local seq = redis.call('INCR', KEYS[3])
if seq > MAX_ID then
  return redis.error_reply('ERR id sequence exhausted: KEYS[3] passed 999999999999999')
end
local id = string.format('%015d', seq)

redis.call('HSET', KEYS[2], id, ARGV[2])
redis.call('ZADD', KEYS[1], priority, id)
redis.call('HINCRBY', KEYS[4], 'total_pushed', 1)
redis.call('HINCRBY', KEYS[4], 'priority:' .. priority, 1)

return {id, redis.call('ZRANK', KEYS[1], id)}
