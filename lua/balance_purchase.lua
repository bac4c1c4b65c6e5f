-- balance_purchase: debits a balance and logs the purchase, only when the balance covers the amount
--
-- KEYS[1]: account balance (string holding an integer; missing means 0)
-- KEYS[2]: transaction log, newest first (list)
-- ARGV[1]: amount to debit (integer, 1 to 9007199254740991)
-- ARGV[2]: entry pushed to the transaction log (string, not empty)
-- Returns: array {1, new_balance} when debited, {0, balance} when the balance is too low (integers)
-- Errors: ERR wrong number of keys or arguments; ERR ARGV[1] (amount) must be...; ERR KEYS[1] (balance) holds...; WRONGTYPE

-- Cluster: both keys must hash to one slot; give them one hash tag, e.g. `account:{42}:balance`
-- and `account:{42}:transactions`.

local MAX_INT = 9007199254740991 -- 2^53 - 1: the largest integer a Lua number holds exactly

if #KEYS ~= 2 or #ARGV ~= 2 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 2 keys (balance, transactions) and 2 args (amount, entry), got %d and %d',
    #KEYS, #ARGV))
end

local amount = string.match(ARGV[1], '^%d+$') and tonumber(ARGV[1])
if not amount or amount < 1 or amount > MAX_INT then
  return redis.error_reply("ERR ARGV[1] (amount) must be an integer from 1 to 9007199254740991, got '"
    .. string.sub(ARGV[1], 1, 40) .. "'")
end
if ARGV[2] == '' then
  return redis.error_reply('ERR ARGV[2] (entry) must not be empty')
end

-- A missing key reads as false (not nil): treat it as a zero balance.
local raw = redis.call('GET', KEYS[1])
local balance = 0
if raw then
  balance = string.match(raw, '^%-?%d+$') and tonumber(raw)
  if not balance or math.abs(balance) > MAX_INT then
    return redis.error_reply('ERR KEYS[1] (balance) holds a value that is not an integer')
  end
end

if balance < amount then
  return {0, balance}
end

local new_balance = redis.call('DECRBY', KEYS[1], amount)
redis.call('LPUSH', KEYS[2], ARGV[2])
return {1, new_balance}
