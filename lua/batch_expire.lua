-- batch_expire: sets a TTL on the keys matching a pattern, a bounded slice of the keyspace per call
--
-- ARGV[1]: pattern in SCAN MATCH syntax, e.g. session:* (string, not empty)
-- ARGV[2]: time to live in seconds (integer, 1 to 2147483647)
-- ARGV[3]: SCAN cursor: "0" to start, then the cursor the previous call returned (string of digits)
-- ARGV[4]: the most keys to expire in this call (integer, 1 to 10000)
-- Returns: array {next_cursor (string, "0" once the whole keyspace was scanned), expired (integer, keys given the TTL by this call)}
-- Errors: ERR wrong number of keys or arguments; ERR ARGV[n] (...) must be...

-- A pattern is not a key, so it travels in ARGV and the script declares no keys. Call it again with
-- the returned cursor until that cursor is "0"; other clients run between the calls.
-- Bounds per call: at most MAX_SCAN_STEPS SCAN steps of COUNT <= SCAN_COUNT (about 10000 keys
-- examined even when few match), and it stops once ARGV[4] keys were expired. The limit is checked
-- between steps and a step returns whole hash buckets, so a call can expire a few keys more.
-- Cluster: the script sees only the keys of the node it runs on; send it to every primary.

local SCAN_COUNT = 100
local MAX_SCAN_STEPS = 100

if #KEYS ~= 0 or #ARGV ~= 4 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 0 keys and 4 args (pattern, ttl, cursor, max_keys), got %d and %d',
    #KEYS, #ARGV))
end

local function int_arg(i, name, min, max)
  local n = string.match(ARGV[i], '^%d+$') and tonumber(ARGV[i])
  if not n or n < min or n > max then
    return nil, redis.error_reply(string.format("ERR ARGV[%d] (%s) must be an integer from %d to %d, got '%s'",
      i, name, min, max, string.sub(ARGV[i], 1, 40)))
  end
  return n
end

local pattern = ARGV[1]
if pattern == '' then
  return redis.error_reply('ERR ARGV[1] (pattern) must not be empty, e.g. session:*')
end
local ttl, err = int_arg(2, 'ttl', 1, 2147483647)
if not ttl then return err end
local cursor = ARGV[3]
if not string.match(cursor, '^%d+$') or #cursor > 20 then
  return redis.error_reply("ERR ARGV[3] (cursor) must be 0 or a cursor returned by a previous call, got '"
    .. string.sub(cursor, 1, 40) .. "'")
end
local max_keys
max_keys, err = int_arg(4, 'max_keys', 1, 10000)
if not max_keys then return err end

local expired = 0
local steps = 0
repeat
  -- rscript-disable-next-line no-keyspace-scan -- bounded: MAX_SCAN_STEPS steps per call, and the cursor goes back to the caller
  local reply = redis.call('SCAN', cursor, 'MATCH', pattern, 'COUNT', math.min(SCAN_COUNT, max_keys - expired))
  cursor = reply[1]
  for _, key in ipairs(reply[2]) do
    -- rscript-disable-next-line keys-from-keys-array -- the keys come from SCAN on this node, by design
    expired = expired + redis.call('EXPIRE', key, ttl)
  end
  steps = steps + 1
until cursor == '0' or expired >= max_keys or steps >= MAX_SCAN_STEPS

return {cursor, expired}
