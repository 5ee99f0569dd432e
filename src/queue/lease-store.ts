/**
 * The trainer lease store, built on Redis directly (Lua scripts in lease-scripts.ts) rather than on
 * BullMQ's stalled-job check, which is not made for leases of a second: here a lease is exact to the
 * millisecond of the Redis clock. Per run: publish (once per rollout), lease, ack, extend, nack.
 */
import type { Redis } from 'ioredis'
import { KeySpace, type RunKeys } from './names.ts'
import { PUBLISH, LEASE, SETTLE } from './lease-scripts.ts'

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
}

export type SettleOp = 'ack' | 'extend' | 'nack'
export type SettleOutcome = { ok: true, value: number, repeated: boolean } | { ok: false, reason: 'not_found' } | { ok: false, reason: 'expired', redelivered: number }

type ScriptFn = (...args: Array<string | number>) => Promise<unknown>
const defined = new WeakSet<Redis>()

function scripts (client: Redis): { rwdPublish: ScriptFn, rwdLease: ScriptFn, rwdSettle: ScriptFn } {
  if (!defined.has(client)) {
    client.defineCommand('rwdPublish', { numberOfKeys: 6, lua: PUBLISH })
    client.defineCommand('rwdLease', { numberOfKeys: 4, lua: LEASE })
    client.defineCommand('rwdSettle', { numberOfKeys: 4, lua: SETTLE })
    defined.add(client)
  }
  return client as unknown as { rwdPublish: ScriptFn, rwdLease: ScriptFn, rwdSettle: ScriptFn }
}

const runKeys = (k: RunKeys): string[] => [k.ready, k.groups, k.versions, k.leases]

export class LeaseStore {
  constructor (private readonly keys: KeySpace, private readonly publishTtlS: number) {}

  /** Publishes a rollout's groups to its run, all in one script; -1 when this rollout was published before. */
  async publish (client: Redis, run: string, jobId: string, groups: PublishedGroup[]): Promise<number> {
    const k = this.keys.run(run)
    const args: Array<string | number> = [this.publishTtlS, run, k.channel]
    for (const g of groups) args.push(g.key, g.json, g.policyVersion === null ? '' : String(g.policyVersion))
    const n = await scripts(client).rwdPublish(this.keys.published(jobId), k.ready, k.groups, k.versions, k.seq, this.keys.runs(), ...args)
    return Number(n)
  }

  async lease (client: Redis, req: LeaseRequest): Promise<LeaseOutcome> {
    const k = this.keys.run(req.run)
    const reply = await scripts(client).rwdLease(...runKeys(k), this.keys.leasePrefix(), req.leaseId, req.maxGroups, req.leaseMs,
      req.minPolicyVersion === undefined ? '' : String(req.minPolicyVersion), TOMBSTONE_S, req.run) as Array<number | string>
    return {
      expiresAt: Number(reply[0]),
      redelivered: Number(reply[1]),
      dropped: Number(reply[2]),
      groups: reply.slice(3).map(String)
    }
  }

  async settle (client: Redis, run: string, leaseId: string, op: SettleOp, leaseMs = 0): Promise<SettleOutcome> {
    const k = this.keys.run(run)
    const reply = await scripts(client).rwdSettle(...runKeys(k), this.keys.leasePrefix(), leaseId, TOMBSTONE_S, op, leaseMs) as number[]
    const code = Number(reply[0])
    if (code === 1 || code === 2) return { ok: true, value: Number(reply[1]), repeated: code === 2 }
    if (code === -1) return { ok: false, reason: 'not_found' }
    return { ok: false, reason: 'expired', redelivered: Number(reply[1] ?? 0) }
  }

  /** Groups waiting to be leased and groups out on lease, per run (for metrics and the dashboard). */
  async depths (client: Redis): Promise<Array<{ run: string, ready: number, leased: number }>> {
    const runs = (await client.smembers(this.keys.runs())).sort().slice(0, 100)
    const pipe = client.pipeline()
    for (const run of runs) {
      const k = this.keys.run(run)
      pipe.zcard(k.ready)
      pipe.hlen(k.groups)
    }
    const res = await pipe.exec() ?? []
    return runs.map((run, i) => {
      const ready = Number(res[2 * i]?.[1] ?? 0)
      const total = Number(res[2 * i + 1]?.[1] ?? 0)
      return { run, ready, leased: Math.max(0, total - ready) }
    })
  }
}
