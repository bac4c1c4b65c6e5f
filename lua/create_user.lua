-- create_user: creates a user record and claims its email in a unique index, refusing duplicates
--
-- KEYS[1]: the user record, fields email, name, created_at (hash)
-- KEYS[2]: the email index, lowercased email -> user id (hash)
-- ARGV[1]: user id (string, 1 to 128 bytes)
-- ARGV[2]: email (string, local@domain.tld, at most 254 bytes; unique regardless of case)
-- ARGV[3]: display name (string, 1 to 256 bytes)
-- Returns: the new record as a map {id, email, name, created_at (integer, server Unix seconds)}; RESP2 clients get it as a flat array of field, value pairs
-- Errors: ERR user already exists; ERR email already registered; ERR invalid email format, expected ...; ERR wrong number of keys or arguments; ERR ARGV[n] (...) must be...; WRONGTYPE

-- Both keys come from the caller (the guide built them from ARGV, which a cluster cannot route).
-- Cluster: they must share a hash tag, e.g. `{users}:user:42` and `{users}:index:emails`; a single
-- global index puts every user in that one slot, so tag per tenant if that is too much.

if #KEYS ~= 2 or #ARGV ~= 3 then
  return redis.error_reply(string.format(
    'ERR wrong number of keys or arguments: expected 2 keys (user, email_index) and 3 args (user_id, email, name), got %d and %d',
    #KEYS, #ARGV))
end

local user_id, email, name = ARGV[1], ARGV[2], ARGV[3]
if #user_id < 1 or #user_id > 128 then
  return redis.error_reply('ERR ARGV[1] (user_id) must be 1 to 128 bytes')
end
if #name < 1 or #name > 256 then
  return redis.error_reply('ERR ARGV[3] (name) must be 1 to 256 bytes')
end

-- One '@', a local part and a domain with at least one dot, no empty labels, no spaces.
local function is_valid_email(value)
  if #value > 254 then return false end
  local local_part, domain = string.match(value, '^([%w.!#$%%&\'*+/=?^_`{|}~-]+)@([%w.-]+)$')
  if not local_part or #local_part > 64 then return false end
  if not string.find(domain, '.', 1, true) then return false end
  for _, part in ipairs({local_part, domain}) do
    if string.find(part, '..', 1, true) or string.sub(part, 1, 1) == '.' or string.sub(part, -1) == '.' then
      return false
    end
  end
  return true
end

if not is_valid_email(email) then
  return redis.error_reply('ERR invalid email format, expected local@domain.tld without spaces')
end

if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('ERR user already exists')
end
local email_key = string.lower(email)
if redis.call('HEXISTS', KEYS[2], email_key) == 1 then
  return redis.error_reply('ERR email already registered')
end

local created_at = tonumber(redis.call('TIME')[1])
redis.call('HSET', KEYS[1], 'email', email, 'name', name, 'created_at', created_at)
redis.call('HSET', KEYS[2], email_key, user_id)

return {map = {id = user_id, email = email, name = name, created_at = created_at}}
