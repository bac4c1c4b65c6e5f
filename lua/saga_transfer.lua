-- saga_transfer: moves an amount between two balances, undoing the debit if the credit fails, and logs the outcome
--
-- KEYS[1]: source balance (string holding an integer; missing means 0)
-- KEYS[2]: destination balance (string holding an integer; missing means 0)
-- KEYS[3]: transaction log, transaction id -> outcome (hash)
-- ARGV[1]: amount (integer, 1 to 9007199254740991)
-- ARGV[2]: transaction id, unique per transfer (string, 1 to 128 bytes)
-- Returns: array {source_balance, destination_balance} after the transfer (integers)
-- Errors: ERR insufficient funds (...); ERR failed to credit destination (...), transaction compensated; ERR transaction ... already completed; ERR source and destination are the same key; ERR wrong number of keys or arguments; ERR ARGV[n] (...) must be...; ERR KEYS[1] (source) holds...; WRONGTYPE

-- Log entries: `SUCCESS:from=<key>:to=<key>:amount=<n>` or `FAILED:compensated:<error>`. A transaction id
-- already logged as SUCCESS is refused, so a retried call cannot move the money twice; a FAILED one
-- may be retried.
-- Cluster: the three keys must share a hash tag, e.g. `{bank}:acct:1`, `{bank}:acct:2`, `{bank}:txlog`.

local MAX_INT = 9007199254740991 -- 2^53 - 1: the largest integer a Lua number holds exactly

if #KEYS ~= 3 or #ARGV ~= 2 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 3 keys (from, to, log) and 2 args (amount, transaction_id), got %d and %d',
    #KEYS, #ARGV))
end

-- A negative amount would pass the funds check and move money the other way (the guide did not check).
local amount = string.match(ARGV[1], '^%d+$') and tonumber(ARGV[1])
if not amount or amount < 1 or amount > MAX_INT then
  return redis.error_reply("ERR ARGV[1] (amount) must be an integer from 1 to 9007199254740991, got '"
    .. string.sub(ARGV[1], 1, 40) .. "'")
end
local tx_id = ARGV[2]
if #tx_id < 1 or #tx_id > 128 then
  return redis.error_reply('ERR ARGV[2] (transaction_id) must be 1 to 128 bytes')
end
if KEYS[1] == KEYS[2] then
  return redis.error_reply('ERR source and destination are the same key')
end

local previous = redis.call('HGET', KEYS[3], tx_id)
if previous and string.sub(previous, 1, 8) == 'SUCCESS:' then
  return redis.error_reply('ERR transaction ' .. tx_id .. ' already completed')
end

-- Step 1: check the source balance. A missing key reads as false: a zero balance.
local raw = redis.call('GET', KEYS[1])
local balance = 0
if raw then
  balance = string.match(raw, '^%-?%d+$') and tonumber(raw)
  if not balance or math.abs(balance) > MAX_INT then
    return redis.error_reply('ERR KEYS[1] (source) holds a value that is not an integer')
  end
end
if balance < amount then
  return redis.error_reply(string.format('ERR insufficient funds (balance %d, amount %d)', balance, amount))
end

-- Step 2: debit. It cannot fail after the checks above, but a saga checks every step.
local debited = redis.pcall('DECRBY', KEYS[1], amount)
if type(debited) == 'table' and debited.err then
  return redis.error_reply('ERR failed to debit source (' .. debited.err .. '), nothing changed')
end

-- Step 3: credit. It fails for real when the destination is not an integer string or would overflow;
-- a script is not rolled back, so the debit is undone by hand.
local credited = redis.pcall('INCRBY', KEYS[2], amount)
if type(credited) == 'table' and credited.err then
  redis.call('INCRBY', KEYS[1], amount)
  redis.call('HSET', KEYS[3], tx_id, 'FAILED:compensated:' .. credited.err)
  return redis.error_reply('ERR failed to credit destination (' .. credited.err .. '), transaction compensated')
end

-- Step 4: log.
redis.call('HSET', KEYS[3], tx_id,
  string.format('SUCCESS:from=%s:to=%s:amount=%d', KEYS[1], KEYS[2], amount))
return {debited, credited}
