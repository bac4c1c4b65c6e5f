-- queue/priority_pop: removes and returns up to N items from a priority queue, most urgent first, oldest first within a priority
--
-- KEYS[1]: the queue, item ids scored by priority (zset)
-- KEYS[2]: item payloads, item id -> data (hash)
-- KEYS[3]: statistics, field total_popped (hash)
-- ARGV[1]: how many items to pop at most (integer, 1 to 1000)
-- Returns: array of items, each {item_id (string), data (string), priority (integer)}; empty array when the queue is empty
-- Errors: ERR wrong number of keys or arguments; ERR ARGV[1] (count) must be...; WRONGTYPE

-- Pair of queue/priority_push; same keys, same hash tag in a cluster.
-- The guide read the head with ZRANGE 0 (count - 1): a count of 0 became ZRANGE 0 -1 and popped the
-- whole queue, and an id whose payload had expired was never removed, blocking the head for ever.
-- ZPOPMIN removes what it returns; an id without a payload is dropped and not returned.

if #KEYS ~= 3 or #ARGV ~= 1 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 3 keys (queue, items, stats) and 1 arg (count), got %d and %d',
    #KEYS, #ARGV))
end
local count = string.match(ARGV[1], '^%d+$') and tonumber(ARGV[1])
if not count or count < 1 or count > 1000 then
  return redis.error_reply("ERR ARGV[1] (count) must be an integer from 1 to 1000, got '" .. string.sub(ARGV[1], 1, 40) .. "'")
end

-- Fail before popping if a key holds the wrong type: popped items would otherwise be lost.
local expected = {'zset', 'hash', 'hash'}
for i = 1, 3 do
  local t = redis.call('TYPE', KEYS[i]).ok
  if t ~= expected[i] and t ~= 'none' then
    return redis.error_reply(string.format('WRONGTYPE KEYS[%d] holds a %s, expected a %s', i, t, expected[i]))
  end
end

local popped = redis.call('ZPOPMIN', KEYS[1], count) -- {id, score, id, score, ...}
local items = {}
for i = 1, #popped, 2 do
  local id = popped[i]
  local data = redis.call('HGET', KEYS[2], id)
  if data then
    redis.call('HDEL', KEYS[2], id)
    items[#items + 1] = {id, data, tonumber(popped[i + 1])}
  end
end

if #items > 0 then
  redis.call('HINCRBY', KEYS[3], 'total_popped', #items)
end
return items
