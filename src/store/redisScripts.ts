/**
 * The Lua scripts of the Redis store. Each runs atomically on the server: the check of the
 * lease and the write it guards are one step, so no other client's command can come between
 * them. Each touches one key (the session's hash), so they also run on Redis Cluster.
 *
 * Times are Redis's own (`TIME`), in ms; fences in µs. Numbers go out as strings formatted with
 * `%.0f`: Lua's own number-to-string conversion keeps 14 digits, and a fence has 16.
 */

/** What every script starts with: the key, Redis's clock, and the expiry rule of `record.ts`. */
const PRELUDE = `
local key = KEYS[1]
local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = math.floor(now_us / 1000)
local function str(n) return string.format('%.0f', n) end
local function expire(lease_until, idle_ms, handle_ttl_ms)
  local handle_at = tonumber(redis.call('HGET', key, 'handleAt') or '')
  local at
  if handle_at then at = handle_at + handle_ttl_ms else at = now + idle_ms end
  if lease_until > at then at = lease_until end
  redis.call('HSET', key, 'expiresAt', str(at))
  redis.call('PEXPIREAT', key, str(at))
end
local function fenced(owner, fence, lease_until)
  return {'FENCED', owner or '', fence or '', lease_until or ''}
end
`;

/**
 * ARGV: ownerId, leaseMs, takeOver ('1' or '0'), idleTtlMs, handleTtlMs, format version.
 * Replies `OK fence expiresAt`, `HELD owner fence leaseUntil`, or `VERSION v`.
 */
export const ACQUIRE = `${PRELUDE}
local cur = redis.call('HMGET', key, 'v', 'owner', 'fence', 'leaseUntil')
if cur[1] and cur[1] ~= ARGV[6] then return {'VERSION', cur[1]} end
local owner = cur[2] or ''
local fence = tonumber(cur[3] or '0') or 0
local lease_until = tonumber(cur[4] or '0') or 0
if owner ~= '' and lease_until > now and owner ~= ARGV[1] and ARGV[3] ~= '1' then
  return {'HELD', owner, str(fence), str(lease_until)}
end
local new_fence = math.max(fence + 1, now_us)
local new_until = now + tonumber(ARGV[2])
if not cur[1] then redis.call('HSET', key, 'v', ARGV[6], 'updatedAt', str(now)) end
redis.call('HSET', key, 'owner', ARGV[1], 'fence', str(new_fence), 'leaseUntil', str(new_until))
expire(new_until, tonumber(ARGV[4]), tonumber(ARGV[5]))
return {'OK', str(new_fence), str(new_until)}
`;

/** ARGV: ownerId, fence, leaseMs, idleTtlMs, handleTtlMs, format version. Replies `OK expiresAt`, `FENCED …` or `VERSION v`. */
export const RENEW = `${PRELUDE}
local cur = redis.call('HMGET', key, 'v', 'owner', 'fence', 'leaseUntil')
if cur[1] and cur[1] ~= ARGV[6] then return {'VERSION', cur[1]} end
if cur[2] ~= ARGV[1] or cur[3] ~= ARGV[2] then return fenced(cur[2], cur[3], cur[4]) end
local new_until = now + tonumber(ARGV[3])
redis.call('HSET', key, 'leaseUntil', str(new_until))
expire(new_until, tonumber(ARGV[4]), tonumber(ARGV[5]))
return {'OK', str(new_until)}
`;

/**
 * ARGV: ownerId, fence, idleTtlMs, handleTtlMs, format version, the fields to remove (comma
 * separated), then field/value pairs to set. Replies `OK`, `FENCED …` or `VERSION v`.
 */
export const SAVE = `${PRELUDE}
local cur = redis.call('HMGET', key, 'v', 'owner', 'fence', 'leaseUntil')
if cur[1] and cur[1] ~= ARGV[5] then return {'VERSION', cur[1]} end
if cur[2] ~= ARGV[1] or cur[3] ~= ARGV[2] then return fenced(cur[2], cur[3], cur[4]) end
if #ARGV > 6 then redis.call('HSET', key, unpack(ARGV, 7)) end
for field in string.gmatch(ARGV[6], '[^,]+') do redis.call('HDEL', key, field) end
redis.call('HSET', key, 'updatedAt', str(now))
expire(tonumber(cur[4]) or 0, tonumber(ARGV[3]), tonumber(ARGV[4]))
return {'OK'}
`;

/**
 * ARGV: ownerId, fence, deleteRecord ('1' or '0'), idleTtlMs, handleTtlMs, format version.
 * Idempotent for the same grant. Replies `OK`, `FENCED …` or `VERSION v`.
 */
export const RELEASE = `${PRELUDE}
local cur = redis.call('HMGET', key, 'v', 'owner', 'fence', 'leaseUntil')
if not cur[1] then return {'OK'} end
if cur[1] ~= ARGV[6] then return {'VERSION', cur[1]} end
if cur[3] ~= ARGV[2] or (cur[2] ~= ARGV[1] and cur[2] ~= '') then return fenced(cur[2], cur[3], cur[4]) end
if ARGV[3] == '1' then
  redis.call('DEL', key)
  return {'OK'}
end
redis.call('HSET', key, 'owner', '', 'leaseUntil', '0')
expire(0, tonumber(ARGV[4]), tonumber(ARGV[5]))
return {'OK'}
`;

/** ARGV: the fields to read. Replies Redis's time (ms) and then each field's value (nil if absent). */
export const LOAD = `${PRELUDE}
local values = redis.call('HMGET', key, unpack(ARGV))
local out = {str(now)}
for i = 1, #ARGV do out[i + 1] = values[i] end
return out
`;
