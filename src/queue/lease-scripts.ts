/**
 * The trainer lease store's Lua scripts: every state change of a group is one atomic script on the Redis
 * clock (TIME), so leases are exact to the millisecond whatever the callers' clocks say.
 *
 * Keys of a run (names.ts), all in the run's hash slot: ready ZSET (group → publish seq, FIFO), groups HASH
 * (group → JSON as delivered), versions HASH (group → policy version), leases ZSET (lease id → expiry ms).
 * A lease: HASH <run lease prefix><id> {state: active|acked|expired|nacked, run, expires_at, n} and
 * ZSET <run lease prefix><id>:groups (group → seq); the lease prefix carries the run's hash tag, so the
 * keys a script builds from it are in the slot of its declared keys (Redis Cluster's rule). An ended lease's hash is kept for a tombstone TTL so a late
 * ack answers lease_expired rather than not-found.
 *
 * Invariants: a group is in exactly one of {ready, one active lease}, or gone (acked / dropped as stale);
 * only ack and the staleness drop delete a group, so an acked group can never be delivered again and an
 * un-acked one always comes back.
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

/** Puts an ended lease's groups back on ready (at their original place) and marks the lease. */
const RECLAIM = `
local function reclaim (prefix, id, state, ready, groups, leases, ttl)
  local lk = prefix .. id
  local gk = lk .. ':groups'
  local members = redis.call('ZRANGE', gk, 0, -1, 'WITHSCORES')
  local n = 0
  for i = 1, #members, 2 do
    if redis.call('HEXISTS', groups, members[i]) == 1 then
      redis.call('ZADD', ready, members[i + 1], members[i])
      n = n + 1
    end
  end
  redis.call('DEL', gk)
  redis.call('ZREM', leases, id)
  redis.call('HSET', lk, 'state', state)
  redis.call('EXPIRE', lk, ttl)
  return n
end
`

/**
 * publish (one chunk of a rollout): KEYS published-marker, ready, groups, versions, seq
 * ARGV marker-ttl-s, channel, chunk index, then (group key, json, policy version or '') triples.
 * Returns the number published, or -1 when this chunk of this rollout was published before (a re-scored
 * job, or a worker that died between chunks): each chunk is published once, and so each group.
 */
export const PUBLISH = `
if redis.call('HEXISTS', KEYS[1], ARGV[3]) == 1 then return -1 end
local n = 0
for i = 4, #ARGV, 3 do
  local seq = redis.call('INCR', KEYS[5])
  redis.call('ZADD', KEYS[2], seq, ARGV[i])
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  if ARGV[i + 2] ~= '' then redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 2]) end
  n = n + 1
end
redis.call('HSET', KEYS[1], ARGV[3], n)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
redis.call('PUBLISH', ARGV[2], n)
return n
`

/**
 * lease: KEYS ready, groups, versions, leases
 * ARGV lease-prefix, lease id, max groups, lease ms, min policy version or '', tombstone ttl s, run
 * First gives back this run's expired leases, then takes up to max groups in publish order, dropping
 * (deleting) those whose policy version is below the minimum. Groups without a version are never stale.
 * Returns {expires_at, redelivered, dropped, next expiry of a live lease of the run (0: none), json...};
 * no json when nothing was leasable (no lease made). A long-poll sleeps until that next expiry at most.
 */
export const LEASE = NOW + RECLAIM + `
local prefix, id, ttl = ARGV[1], ARGV[2], tonumber(ARGV[6])
local expired = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 1000)
local redelivered = 0
for _, old in ipairs(expired) do
  redelivered = redelivered + reclaim(prefix, old, 'expired', KEYS[1], KEYS[2], KEYS[4], ttl)
end
local max = tonumber(ARGV[3])
local minPv = tonumber(ARGV[5])
local out = {0, redelivered, 0, 0}
local taken = {}
local dropped = 0
while #taken < max * 2 do
  local batch = redis.call('ZRANGE', KEYS[1], 0, max - #taken / 2 - 1, 'WITHSCORES')
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    local g = batch[i]
    redis.call('ZREM', KEYS[1], g)
    local json = redis.call('HGET', KEYS[2], g)
    if json then
      local pv = minPv and redis.call('HGET', KEYS[3], g)
      if pv and tonumber(pv) < minPv then
        redis.call('HDEL', KEYS[2], g)
        redis.call('HDEL', KEYS[3], g)
        dropped = dropped + 1
      else
        taken[#taken + 1] = batch[i + 1]
        taken[#taken + 1] = g
        out[#out + 1] = json
      end
    end
  end
end
out[3] = dropped
if #taken > 0 then
  local expires = now + tonumber(ARGV[4])
  local lk = prefix .. id
  for i = 1, #taken, 1000 do -- unpack is capped near 8000 values in Redis's Lua
    redis.call('ZADD', lk .. ':groups', unpack(taken, i, math.min(i + 999, #taken)))
  end
  redis.call('HSET', lk, 'state', 'active', 'run', ARGV[7], 'expires_at', expires, 'n', #taken / 2)
  redis.call('ZADD', KEYS[4], expires, id)
  out[1] = expires
end
local nxt = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
if #nxt > 0 then out[4] = tonumber(nxt[2]) end
return out
`

/**
 * settle: KEYS ready, groups, versions, leases
 * ARGV lease-prefix, lease id, tombstone ttl s, op (ack | extend | nack), lease ms (extend), channel
 * Groups given back (nack, or found expired) are announced on the run's channel (wakes long-polls).
 * Returns {1, n} (ack: groups acked; nack: groups given back), {2, n} for a repeated ack (same n, nothing done),
 * {1, expires_at} (extend), {-1} no such lease, {-2, n} expired or ended (n groups given back now).
 */
export const SETTLE = NOW + RECLAIM + `
local prefix, id, ttl, op = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local lk = prefix .. id
local state = redis.call('HGET', lk, 'state')
if not state then return {-1} end
if state == 'acked' and op == 'ack' then return {2, tonumber(redis.call('HGET', lk, 'n'))} end
if state ~= 'active' then return {-2, 0} end
if tonumber(redis.call('HGET', lk, 'expires_at')) <= now then
  local back = reclaim(prefix, id, 'expired', KEYS[1], KEYS[2], KEYS[4], ttl)
  if back > 0 then redis.call('PUBLISH', ARGV[6], back) end
  return {-2, back}
end
if op == 'extend' then
  local expires = now + tonumber(ARGV[5])
  redis.call('HSET', lk, 'expires_at', expires)
  redis.call('ZADD', KEYS[4], expires, id)
  return {1, expires}
end
if op == 'nack' then
  local back = reclaim(prefix, id, 'nacked', KEYS[1], KEYS[2], KEYS[4], ttl)
  if back > 0 then redis.call('PUBLISH', ARGV[6], back) end
  return {1, back}
end
local gk = lk .. ':groups'
local members = redis.call('ZRANGE', gk, 0, -1)
for _, g in ipairs(members) do
  redis.call('HDEL', KEYS[2], g)
  redis.call('HDEL', KEYS[3], g)
end
redis.call('DEL', gk)
redis.call('ZREM', KEYS[4], id)
redis.call('HSET', lk, 'state', 'acked')
redis.call('EXPIRE', lk, ttl)
return {1, #members}
`
