-- purchase_product: takes a quantity out of stock, counts it as sold and records the purchase, never selling more than the stock
--
-- KEYS[1]: product stock (string holding an integer; missing means 0)
-- KEYS[2]: product units sold (string holding an integer)
-- KEYS[3]: the buyer's purchase history, newest first, kept to 1000 entries (list)
-- ARGV[1]: buyer id, stored in the history entry (string, not empty, no ':')
-- ARGV[2]: quantity (integer, 1 to 1000000000)
-- ARGV[3]: purchase time, e.g. Unix seconds (integer, 0 to 9007199254740991)
-- Returns: array {1, remaining_stock, quantity} when sold, {0, available_stock, quantity} when the stock is too low (integers)
-- Errors: ERR wrong number of keys or arguments; ERR ARGV[n] (...) must be...; ERR KEYS[n] (...) holds...; WRONGTYPE

-- History entries read `<buyer id>:<quantity>:<time>`.
-- Cluster: the three keys must hash to one slot, so give them one hash tag, e.g.
-- `{product:42}:stock`, `{product:42}:sold`, `{product:42}:purchases:user:7`.

local MAX_INT = 9007199254740991 -- 2^53 - 1: the largest integer a Lua number holds exactly
local HISTORY_LENGTH = 1000

local function int_arg(i, name, min, max)
  local n = string.match(ARGV[i], '^%d+$') and tonumber(ARGV[i])
  if not n or n < min or n > max then
    return nil, redis.error_reply(string.format("ERR ARGV[%d] (%s) must be an integer from %d to %d, got '%s'",
      i, name, min, max, string.sub(ARGV[i], 1, 40)))
  end
  return n
end

if #KEYS ~= 3 or #ARGV ~= 3 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 3 keys (stock, sold, purchases) and 3 args (user_id, quantity, timestamp), got %d and %d',
    #KEYS, #ARGV))
end
local user_id = ARGV[1]
if user_id == '' or string.find(user_id, ':', 1, true) then
  return redis.error_reply("ERR ARGV[1] (user_id) must be a non-empty string without ':'")
end
local quantity, err = int_arg(2, 'quantity', 1, 1000000000)
if not quantity then return err end
local timestamp
timestamp, err = int_arg(3, 'timestamp', 0, MAX_INT)
if not timestamp then return err end

-- Everything that can fail is checked before the first write: a script is not rolled back, so a
-- failure after DECRBY would leave stock taken without a sale recorded.
local function int_key(i, name)
  local raw = redis.call('GET', KEYS[i]) -- false when missing; WRONGTYPE for a non-string
  if not raw then return 0 end
  local n = string.match(raw, '^%-?%d+$') and tonumber(raw)
  if not n or math.abs(n) > MAX_INT then
    return nil, redis.error_reply(string.format('ERR KEYS[%d] (%s) holds a value that is not an integer', i, name))
  end
  return n
end

local stock
stock, err = int_key(1, 'stock')
if not stock then return err end
local sold
sold, err = int_key(2, 'sold')
if not sold then return err end
if sold + quantity > MAX_INT then
  return redis.error_reply('ERR KEYS[2] (sold) would pass 9007199254740991')
end
local history_type = redis.call('TYPE', KEYS[3]).ok
if history_type ~= 'list' and history_type ~= 'none' then
  return redis.error_reply('ERR KEYS[3] (purchases) holds a ' .. history_type .. ', expected a list')
end

if stock < quantity then
  return {0, stock, quantity}
end

local remaining = redis.call('DECRBY', KEYS[1], quantity)
redis.call('INCRBY', KEYS[2], quantity)
redis.call('LPUSH', KEYS[3], string.format('%s:%d:%d', user_id, quantity, timestamp))
redis.call('LTRIM', KEYS[3], 0, HISTORY_LENGTH - 1)
return {1, remaining, quantity}
