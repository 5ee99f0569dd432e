/**
 * Names of everything the pipeline keeps in Redis, under one prefix (QUEUE_PREFIX), laid out for Redis
 * Cluster: every key one Lua script touches shares one hash tag `{...}`, so it lives in one hash slot.
 *   <prefix>:{<tag i>}:rollouts:*          BullMQ queue of partition i (its own tag: BullMQ's cluster rule)
 *   <prefix>:idem:<hash of rollout id>     sha256 of the body the id was first submitted with (idempotency)
 *   <prefix>:pending                       HASH run → rollouts accepted and not yet finished (fair order)
 *   <prefix>:runs                          set of run names that ever had groups
 *   <prefix>:done                          pub/sub channel: a rollout finished (wakes GET ?wait)
 *   <prefix>:run:{<prefix>.<run>}:*        the trainer lease store of one run, one slot (lease-store.ts):
 *        ready, groups, versions, leases, seq, published:<job id>, lease:<lease id>[:groups], notify
 * A rollout's partition is a hash of its id, so the same id always lands in the same partition (idempotency).
 * Runs never share keys, so two runs never see each other's groups. On a single Redis the tags are inert.
 */
import { randomUUID } from 'node:crypto'
import { sha256Hex } from '../lib/hash.ts'
import { partitionTag } from './slots.ts'

export const QUEUE_NAME = 'rollouts'
export const RUN_PATTERN = '^[A-Za-z0-9_.-]{1,64}$'
const runRe = new RegExp(RUN_PATTERN)

/** BullMQ job id of a rollout id: a hash, so any client string is safe in a Redis key and a BullMQ id. */
export function jobIdOf (rolloutId: string): string {
  return `r-${sha256Hex(rolloutId).slice(0, 40)}`
}

export interface RunKeys {
  /** ZSET group key → publish sequence (FIFO). */
  ready: string
  /** HASH group key → group JSON (as delivered to trainers). */
  groups: string
  /** HASH group key → policy version (only groups that carry one). */
  versions: string
  /** ZSET lease id → expiry (ms, Redis clock). */
  leases: string
  /** STRING publish sequence counter. */
  seq: string
  /** Pub/sub channel announcing newly leasable groups. */
  channel: string
  /** Prefix of this run's lease hashes (`<leasePrefix><lease id>`), in the run's slot. */
  leasePrefix: string
  /** HASH chunk index → groups published, once per rollout job (published once, chunk by chunk). */
  published: (jobId: string) => string
}

export class KeySpace {
  /** The BullMQ prefix of each partition: `<prefix>:{<tag>}`. */
  readonly partitions: string[]

  constructor (readonly prefix: string, partitions = 1) {
    this.partitions = Array.from({ length: Math.max(1, partitions) }, (_, i) => `${prefix}:{${partitionTag(prefix, i, partitions)}}`)
  }

  /** The partition of a rollout id (stable: the same id always maps to the same partition). */
  partitionOf (rolloutId: string): number {
    return Number.parseInt(sha256Hex(`partition:${rolloutId}`).slice(0, 8), 16) % this.partitions.length
  }

  idem (rolloutId: string): string { return `${this.prefix}:idem:${sha256Hex(rolloutId).slice(0, 40)}` }
  /** The BullMQ job hash of a rollout. */
  job (rolloutId: string): string { return `${this.partitions[this.partitionOf(rolloutId)] ?? ''}:${QUEUE_NAME}:${jobIdOf(rolloutId)}` }
  runs (): string { return `${this.prefix}:runs` }
  pending (): string { return `${this.prefix}:pending` }
  doneChannel (): string { return `${this.prefix}:done` }
  runChannelPattern (): string { return `${this.prefix}:run:*:notify` }

  run (run: string): RunKeys {
    const base = `${this.prefix}:run:{${this.prefix}.${run}}`
    return {
      ready: `${base}:ready`,
      groups: `${base}:groups`,
      versions: `${base}:versions`,
      leases: `${base}:leases`,
      seq: `${base}:seq`,
      channel: `${base}:notify`,
      leasePrefix: `${base}:lease:`,
      published: (jobId: string) => `${base}:published:${jobId}`
    }
  }

  /** The run named by a run channel (see runChannelPattern), or null. */
  runOfChannel (channel: string): string | null {
    const m = /^(.*):run:\{(.*)\}:notify$/.exec(channel)
    if (m === null || m[1] !== this.prefix || !m[2]!.startsWith(`${this.prefix}.`)) return null
    return m[2]!.slice(this.prefix.length + 1)
  }
}

export function isRunName (run: string): boolean {
  return runRe.test(run)
}

/** A lease id names its run (`<run>.<uuid>`), so ack/extend/nack find the run's keys in one round trip. */
export function newLeaseId (run: string): string {
  return `${run}.${randomUUID()}`
}

export function runOfLease (leaseId: string): string | null {
  const dot = leaseId.lastIndexOf('.')
  if (dot <= 0) return null
  const run = leaseId.slice(0, dot)
  return isRunName(run) && /^[0-9a-f-]{36}$/.test(leaseId.slice(dot + 1)) ? run : null
}
