/**
 * Names of everything the pipeline keeps in Redis, under one prefix (QUEUE_PREFIX):
 *   <prefix>:rollouts:*            the BullMQ queue of submitted rollouts (BullMQ's own keys)
 *   <prefix>:idem:<rollout id>     sha256 of the body the id was first submitted with (idempotency)
 *   <prefix>:published:<job id>    set once a rollout's groups are published: they are published once
 *   <prefix>:runs                  set of run names that ever had groups
 *   <prefix>:run:<run>:*           the trainer lease store of one run (see lease-store.ts)
 *   <prefix>:lease:<lease id>      one lease: state, expiry, run; kept a day after it ends
 * Runs never share keys, so two runs never see each other's groups.
 */
import { randomUUID } from 'node:crypto'
import { sha256Hex } from '../lib/hash.ts'

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
}

export class KeySpace {
  constructor (readonly prefix: string) {}

  idem (rolloutId: string): string { return `${this.prefix}:idem:${sha256Hex(rolloutId).slice(0, 40)}` }
  published (jobId: string): string { return `${this.prefix}:published:${jobId}` }
  job (jobId: string): string { return `${this.prefix}:${QUEUE_NAME}:${jobId}` }
  runs (): string { return `${this.prefix}:runs` }
  lease (leaseId: string): string { return `${this.prefix}:lease:${leaseId}` }
  /** The groups held by one lease: ZSET group key → its publish sequence (to put them back in order). */
  leaseGroups (leaseId: string): string { return `${this.prefix}:lease:${leaseId}:groups` }
  leasePrefix (): string { return `${this.prefix}:lease:` }

  run (run: string): RunKeys {
    const base = `${this.prefix}:run:${run}`
    return { ready: `${base}:ready`, groups: `${base}:groups`, versions: `${base}:versions`, leases: `${base}:leases`, seq: `${base}:seq`, channel: `${base}:notify` }
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
