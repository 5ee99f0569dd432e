/**
 * The trainer lease store, built on Redis directly (Lua scripts in lease-scripts.ts) rather than on
 * BullMQ's stalled-job check, which is not made for leases of a second: here a lease is exact to the
 * millisecond of the Redis clock. Per run: publish (once per rollout, in chunks), lease, ack, extend, nack.
 * A rollout's groups are published in chunks (at most PUBLISH_CHUNK_GROUPS groups and PUBLISH_CHUNK_CHARS of
 * input each, boundaries computed from the request so every attempt cuts the same chunks), one script per
 * chunk, each marked in the rollout's published marker: one script never holds Redis long, and a worker that
 * dies between chunks publishes only the missing chunks when the rollout is scored again.
 */
import { KeySpace, type RunKeys } from './names.ts'
import { PUBLISH, LEASE, SETTLE } from './lease-scripts.ts'
import type { RedisClient } from './redis.ts'

/** How long an ended lease is remembered, so a late ack answers lease_expired instead of not found. */
const TOMBSTONE_S = 86_400

export interface PublishedGroup {
  /** Unique key of the group within its run: `<job id>:<index>`. */
  key: string
  /** The group as trainers receive it, serialised once. */
  json: string
  policyVersion: number | null
}

export interface LeaseRequest {
  run: string
  leaseId: string
  maxGroups: number
  leaseMs: number
  minPolicyVersion?: number
}

export interface LeaseOutcome {
  /** Expiry (ms since the epoch, Redis clock); 0 when no group was leasable (no lease exists then). */
  expiresAt: number
  /** Raw group JSON strings, in publish order. */
  groups: string[]
  /** Groups of expired leases put back before this lease was taken. */
  redelivered: number
  /** Groups dropped because their policy version was below min_policy_version. */
  dropped: number
  /** Earliest expiry of a live lease of the run (ms, Redis clock); 0 when none. */
  nextExpiry: number
}

export type SettleOp = 'ack' | 'extend' | 'nack'
export type SettleOutcome = { ok: true, value: number, repeated: boolean } | { ok: false, reason: 'not_found' } | { ok: false, reason: 'expired', redelivered: number }

type ScriptFn = (...args: Array<string | number>) => Promise<unknown>
const defined = new WeakSet<RedisClient>()

/** Most groups one publish script takes. */
export const PUBLISH_CHUNK_GROUPS = 128
/** Most characters of input completions one publish chunk covers (the published JSON is about as large). */
export const PUBLISH_CHUNK_CHARS = 1 << 19

/** Chunk boundaries [start, end) over a rollout's groups, from their input sizes (the same on every attempt). */
export function publishChunks (sizes: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = []
  let start = 0
  let chars = 0
  sizes.forEach((size, i) => {
    if (i > start && (i - start >= PUBLISH_CHUNK_GROUPS || chars + size > PUBLISH_CHUNK_CHARS)) {
      out.push([start, i])
      start = i
      chars = 0
    }
    chars += size
  })
  if (start < sizes.length) out.push([start, sizes.length])
  return out
}

function scripts (client: RedisClient): { rwdPublish: ScriptFn, rwdLease: ScriptFn, rwdSettle: ScriptFn } {
  if (!defined.has(client)) {
    client.defineCommand('rwdPublish', { numberOfKeys: 5, lua: PUBLISH })
    client.defineCommand('rwdLease', { numberOfKeys: 4, lua: LEASE })
    client.defineCommand('rwdSettle', { numberOfKeys: 4, lua: SETTLE })
    defined.add(client)
  }
  return client as unknown as { rwdPublish: ScriptFn, rwdLease: ScriptFn, rwdSettle: ScriptFn }
}

const runKeys = (k: RunKeys): string[] => [k.ready, k.groups, k.versions, k.leases]

export class LeaseStore {
  constructor (private readonly keys: KeySpace, private readonly publishTtlS: number) {}

  /**
   * Publishes chunk `chunk` of a rollout's groups to its run (one script); -1 when that chunk was published
   * before. The run is added to the set of runs (for metrics) on its own: that key is in another slot.
   */
  async publish (client: RedisClient, run: string, jobId: string, chunk: number, groups: PublishedGroup[]): Promise<number> {
    const k = this.keys.run(run)
    const args: Array<string | number> = [this.publishTtlS, k.channel, chunk]
    for (const g of groups) args.push(g.key, g.json, g.policyVersion === null ? '' : String(g.policyVersion))
    const n = Number(await scripts(client).rwdPublish(k.published(jobId), k.ready, k.groups, k.versions, k.seq, ...args))
    if (n >= 0) await client.sadd(this.keys.runs(), run)
    return n
  }

  /** The rollout's published marker (in the run's slot: WAIT on its node confirms the run's writes). */
  publishedKey (run: string, jobId: string): string { return this.keys.run(run).published(jobId) }

  async lease (client: RedisClient, req: LeaseRequest): Promise<LeaseOutcome> {
    const k = this.keys.run(req.run)
    const reply = await scripts(client).rwdLease(...runKeys(k), k.leasePrefix, req.leaseId, req.maxGroups, req.leaseMs,
      req.minPolicyVersion === undefined ? '' : String(req.minPolicyVersion), TOMBSTONE_S, req.run) as Array<number | string>
    return {
      expiresAt: Number(reply[0]),
      redelivered: Number(reply[1]),
      dropped: Number(reply[2]),
      nextExpiry: Number(reply[3]),
      groups: reply.slice(4).map(String)
    }
  }

  async settle (client: RedisClient, run: string, leaseId: string, op: SettleOp, leaseMs = 0): Promise<SettleOutcome> {
    const k = this.keys.run(run)
    const reply = await scripts(client).rwdSettle(...runKeys(k), k.leasePrefix, leaseId, TOMBSTONE_S, op, leaseMs, k.channel) as number[]
    const code = Number(reply[0])
    if (code === 1 || code === 2) return { ok: true, value: Number(reply[1]), repeated: code === 2 }
    if (code === -1) return { ok: false, reason: 'not_found' }
    return { ok: false, reason: 'expired', redelivered: Number(reply[1] ?? 0) }
  }

  /** Groups waiting to be leased and groups out on lease, per run (for metrics and the dashboard). */
  async depths (client: RedisClient): Promise<Array<{ run: string, ready: number, leased: number }>> {
    const runs = (await client.smembers(this.keys.runs())).sort().slice(0, 100)
    // one command per key, not a pipeline: on a cluster each run's keys live on their own node
    return await Promise.all(runs.map(async run => {
      const k = this.keys.run(run)
      const [ready, total] = await Promise.all([client.zcard(k.ready), client.hlen(k.groups)])
      return { run, ready, leased: Math.max(0, total - ready) }
    }))
  }
}
