/**
 * The API side of the pipeline, built once per app: the Redis link, the rollout producer, the trainer
 * lease operations and the metrics. Routes call these; nothing here knows about HTTP except the coded
 * errors it throws.
 */
import type { Registry } from 'prom-client'
import type { Config } from '../config/schema.ts'
import { errors } from '../errors.ts'
import { KeySpace, newLeaseId, runOfLease } from './names.ts'
import { RedisLink, isConnectionError } from './redis.ts'
import { RolloutProducer } from './producer.ts'
import { LeaseStore, type SettleOp } from './lease-store.ts'
import { QueueMetrics } from './metrics.ts'
import { Notifier } from './notifier.ts'
import type { LeaseRequestBody } from '../http/schemas/queue.ts'

export class Pipeline {
  readonly link: RedisLink
  readonly keys: KeySpace
  readonly producer: RolloutProducer
  readonly store: LeaseStore
  readonly metrics: QueueMetrics
  private readonly notifier: Notifier

  constructor (private readonly config: Config, registry: Registry) {
    this.link = new RedisLink({ url: config.REDIS_URL, connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS, role: 'api', name: 'rwd-api' })
    this.keys = new KeySpace(config.QUEUE_PREFIX)
    this.producer = new RolloutProducer(this.link, this.keys, config)
    this.store = new LeaseStore(this.keys, config.ROLLOUT_IDEMPOTENCY_TTL_S)
    this.notifier = new Notifier(config.REDIS_URL, config.QUEUE_PREFIX)
    this.metrics = new QueueMetrics(registry, { depths: async () => await this.depths() })
  }

  /** Runs a Redis operation; a connection failure becomes 503 naming the Redis (never a hang, never a 500). */
  async guard<T> (fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      // already a 503 naming the Redis (from link.require): pass it on as it is, not wrapped in another
      if ((err as { code?: unknown }).code !== 'RWD_ERR_QUEUE_UNAVAILABLE' && isConnectionError(err)) throw this.link.unavailable((err as Error).message)
      throw err
    }
  }

  /** Leases up to max_groups of a run, long-polling up to wait_ms; the reply as JSON text (group JSON spliced in). */
  async lease (body: LeaseRequestBody): Promise<string> {
    const run = body.run ?? 'default'
    if (body.lease_ms > this.config.LEASE_MAX_MS) throw new errors.RequestInvalid(`lease_ms ${body.lease_ms} exceeds LEASE_MAX_MS (${this.config.LEASE_MAX_MS})`)
    const max = Math.min(body.max_groups, this.config.LEASE_MAX_GROUPS)
    const deadline = Date.now() + Math.min(body.wait_ms ?? 0, this.config.WAIT_MAX_MS)
    const leaseId = newLeaseId(run)
    let dropped = 0
    for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
      const client = await this.link.require()
      const out = await this.guard(async () => await this.store.lease(client, { run, leaseId, maxGroups: max, leaseMs: body.lease_ms, minPolicyVersion: body.min_policy_version }))
      dropped += out.dropped
      if (out.redelivered > 0) this.metrics.redeliveries.inc({ run, reason: 'expired' }, out.redelivered)
      if (out.dropped > 0) this.metrics.droppedStale.inc({ run }, out.dropped)
      if (out.groups.length > 0) {
        this.metrics.groupsLeased.inc({ run }, out.groups.length)
        return `{"lease":${JSON.stringify(leaseId)},"expires_at":${out.expiresAt},"groups":[${out.groups.join(',')}],"dropped_stale":${dropped}}`
      }
      const left = deadline - Date.now()
      if (left <= 0) return `{"lease":null,"expires_at":null,"groups":[],"dropped_stale":${dropped}}`
      await this.notifier.wait(run, Math.min(pause, left))
    }
  }

  /** ack → groups acked; extend → new expiry; nack → groups given back. 404 / 409 lease_expired otherwise. */
  async settle (op: SettleOp, leaseId: string, leaseMs = 0): Promise<number> {
    const run = runOfLease(leaseId)
    if (run === null) throw new errors.LeaseNotFound(JSON.stringify(leaseId))
    if (op === 'extend' && leaseMs > this.config.LEASE_MAX_MS) throw new errors.RequestInvalid(`lease_ms ${leaseMs} exceeds LEASE_MAX_MS (${this.config.LEASE_MAX_MS})`)
    const client = await this.link.require()
    const out = await this.guard(async () => await this.store.settle(client, run, leaseId, op, leaseMs))
    if (out.ok) {
      if (op === 'ack' && !out.repeated) this.metrics.groupsAcked.inc({ run }, out.value)
      if (op === 'nack') this.metrics.redeliveries.inc({ run, reason: 'nack' }, out.value)
      return out.value
    }
    if (out.reason === 'not_found') throw new errors.LeaseNotFound(JSON.stringify(leaseId))
    if (out.redelivered > 0) this.metrics.redeliveries.inc({ run, reason: 'expired' }, out.redelivered)
    throw new errors.LeaseExpired(JSON.stringify(leaseId))
  }

  async depths (): Promise<{ jobs: Record<string, number>, runs: Array<{ run: string, ready: number, leased: number }> } | null> {
    if (!this.link.ready) return null
    const { queue, client } = await this.producer.getQueue()
    const jobs = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed')
    return { jobs, runs: await this.store.depths(client) }
  }

  async close (): Promise<void> {
    this.notifier.close()
    await this.producer.close()
    await this.link.close()
  }
}
