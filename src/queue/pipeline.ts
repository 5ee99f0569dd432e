/**
 * The API side of the pipeline, built once per app: the Redis link, the rollout producer, the trainer
 * lease operations and the metrics. Routes call these; nothing here knows about HTTP except the coded
 * errors it throws.
 */
import type { Registry } from 'prom-client'
import type { Config } from '../config/schema.ts'
import { errors } from '../errors.ts'
import { KeySpace, newLeaseId, runOfLease } from './names.ts'
import { RedisLink, isConnectionError, connect } from './redis.ts'
import { RolloutProducer, waitReplicas } from './producer.ts'
import { LeaseStore, type SettleOp } from './lease-store.ts'
import { QueueMetrics } from './metrics.ts'
import { Notifier } from './notifier.ts'
import type { LeaseRequestBody } from './schemas.ts'

export class Pipeline {
  readonly link: RedisLink
  readonly keys: KeySpace
  readonly producer: RolloutProducer
  readonly store: LeaseStore
  readonly metrics: QueueMetrics
  private readonly notifier: Notifier

  constructor (private readonly config: Config, registry: Registry) {
    this.link = new RedisLink({ url: config.REDIS_URL, connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS, role: 'api', name: 'rwd-api' })
    this.keys = new KeySpace(config.QUEUE_PREFIX, config.QUEUE_PARTITIONS)
    this.notifier = new Notifier(() => connect(config.REDIS_URL, { maxRetriesPerRequest: null, connectionName: 'rwd-notify', retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000) }), this.keys)
    this.producer = new RolloutProducer(this.link, this.keys, config, async (jobId, ms) => { await this.notifier.waitJob(jobId, ms) })
    this.store = new LeaseStore(this.keys, config.ROLLOUT_IDEMPOTENCY_TTL_S)
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
    for (;;) {
      const client = await this.link.require()
      const out = await this.guard(async () => await this.store.lease(client, { run, leaseId, maxGroups: max, leaseMs: body.lease_ms, minPolicyVersion: body.min_policy_version }))
      dropped += out.dropped
      if (out.redelivered > 0) this.metrics.redeliveries.inc({ run, reason: 'expired' }, out.redelivered)
      if (out.dropped > 0) this.metrics.droppedStale.inc({ run }, out.dropped)
      if (out.groups.length > 0) {
        // the lease must survive a failover, or its groups would be handed out again while this trainer trains
        await this.guard(async () => { await this.link.replicated(this.keys.run(run).leases, waitReplicas(this.config, this.link), this.config.REDIS_WAIT_TIMEOUT_MS) })
        this.metrics.groupsLeased.inc({ run }, out.groups.length)
        return `{"lease":${JSON.stringify(leaseId)},"expires_at":${out.expiresAt},"groups":[${out.groups.join(',')}],"dropped_stale":${dropped}}`
      }
      const left = deadline - Date.now()
      if (left <= 0) return `{"lease":null,"expires_at":null,"groups":[],"dropped_stale":${dropped}}`
      // Sleep until groups are announced (publish, nack), until the run's next lease expires (its groups come
      // back then; the Redis clock is taken as ours, +5 ms), or 5 s at most: no polling while idle.
      const untilExpiry = out.nextExpiry > 0 ? Math.max(5, out.nextExpiry - Date.now() + 5) : Infinity
      await this.notifier.waitRun(run, Math.min(left, untilExpiry, 5000))
    }
  }

  /** ack → groups acked; extend → new expiry; nack → groups given back. 404 / 409 lease_expired otherwise. */
  async settle (op: SettleOp, leaseId: string, leaseMs = 0): Promise<number> {
    const run = runOfLease(leaseId)
    if (run === null) throw new errors.LeaseNotFound(JSON.stringify(leaseId))
    if (op === 'extend' && leaseMs > this.config.LEASE_MAX_MS) throw new errors.RequestInvalid(`lease_ms ${leaseMs} exceeds LEASE_MAX_MS (${this.config.LEASE_MAX_MS})`)
    const client = await this.link.require()
    const out = await this.guard(async () => await this.store.settle(client, run, leaseId, op, leaseMs))
    // an ack answers only once a replica holds it: an ack lost in a failover would deliver its groups again
    if (out.ok) await this.guard(async () => { await this.link.replicated(this.keys.run(run).leases, waitReplicas(this.config, this.link), this.config.REDIS_WAIT_TIMEOUT_MS) })
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
    const { queues, client } = await this.producer.getQueues()
    const jobs: Record<string, number> = {}
    for (const q of queues) {
      // rollouts wait in priority order (fair across runs): prioritized is reported as waiting
      for (const [state, n] of Object.entries(await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'))) {
        const s = state === 'prioritized' ? 'waiting' : state
        jobs[s] = (jobs[s] ?? 0) + n
      }
    }
    return { jobs, runs: await this.store.depths(client) }
  }

  async close (): Promise<void> {
    this.notifier.close()
    await this.producer.close()
    await this.link.close()
  }
}
