-- rate_limit_token_bucket: token bucket rate limiter; takes tokens if enough have refilled, else says how long to wait
--
-- KEYS[1]: the bucket, fields `tokens` and `ts` (hash; missing means a full bucket)
-- ARGV[1]: capacity, the most tokens the bucket holds (integer, 1 to 1000000000)
-- ARGV[2]: refill rate in tokens per second (decimal number, 0.001 to 1000000000, e.g. 10 or 0.5)
-- ARGV[3]: tokens this request takes (integer, 1 to capacity)
-- ARGV[4]: the caller's clock in milliseconds, e.g. Unix ms (integer, 0 to 9007199254740991)
-- Returns: array {allowed (1 or 0), tokens_left (integer, rounded down), retry_after_ms (integer, 0 when allowed)}
-- Errors: ERR wrong number of keys or arguments; ERR ARGV[n] (...) must be...

-- The clock comes from the caller so that every client and every test agrees on it; a caller clock
-- behind the last call neither refills nor removes tokens (its retry_after then counts from its own
-- clock). Tokens are kept as a decimal string, so partial refills are not lost. A refused request
-- writes nothing. Once the bucket would be full again the key expires: an idle limiter costs no memory.

local MAX_INT = 9007199254740991 -- 2^53 - 1: the largest integer a Lua number holds exactly

if #KEYS ~= 1 or #ARGV ~= 4 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 1 key (bucket) and 4 args (capacity, refill_rate, requested, now_ms), got %d and %d',
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

local capacity, err = int_arg(1, 'capacity', 1, 1000000000)
if not capacity then return err end
local rate = (string.match(ARGV[2], '^%d+$') or string.match(ARGV[2], '^%d*%.%d+$')) and tonumber(ARGV[2])
if not rate or rate < 0.001 or rate > 1000000000 then
  return redis.error_reply(string.format(
    "ERR ARGV[2] (refill_rate) must be a number of tokens per second from 0.001 to 1000000000, got '%s'",
    string.sub(ARGV[2], 1, 40)))
end
local requested
requested, err = int_arg(3, 'requested', 1, capacity)
if not requested then return err end
local now
now, err = int_arg(4, 'now_ms', 0, MAX_INT)
if not now then return err end

-- A bucket with a missing or unreadable field starts full, as a new one does.
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local last = tonumber(state[2])
if not tokens or not last or tokens ~= tokens then
  tokens = capacity
  last = now
end

-- Tokens the bucket holds `ms` milliseconds after the stored state. The next call computes exactly
-- this, so a retry_after taken from it is the first millisecond at which the request succeeds.
local function available(ms)
  return math.min(capacity, tokens + ms * rate / 1000)
end

local elapsed = math.max(0, now - last)
local current = available(elapsed)

if current >= requested then
  local left = current - requested
  -- %.17g keeps every digit: the stored tokens read back as the same number.
  redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', left), 'ts', string.format('%d', math.max(now, last)))
  redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((capacity - left) * 1000 / rate)))
  return {1, math.floor(left), 0}
end

-- Refused: nothing is written, so waiting and asking again starts from the same state.
-- Floating-point rounding can put the estimate one millisecond off either way: settle it against
-- available() itself (a couple of steps at most).
local wait = math.max(1, math.ceil((requested - current) * 1000 / rate))
for _ = 1, 3 do
  if wait > 1 and available(elapsed + wait - 1) >= requested then wait = wait - 1 end
end
for _ = 1, 3 do
  if available(elapsed + wait) < requested then wait = wait + 1 end
end
-- A caller whose clock is behind the last call waits until its own clock reaches that call, too.
return {0, math.floor(current), wait + math.max(0, last - now)}
