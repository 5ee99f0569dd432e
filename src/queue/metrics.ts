/**
 * Pipeline metrics, on the app's (or the worker's) prom-client registry. Counters are per process (sum them
 * across instances); queue depths are read from Redis at scrape time and so are the same everywhere.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

export interface DepthSource {
  /** Rollout jobs per BullMQ state, and groups ready / out on lease per run; null when Redis is away. */
  depths: () => Promise<{ jobs: Record<string, number>, runs: Array<{ run: string, ready: number, leased: number }> } | null>
}

export class QueueMetrics {
  readonly jobDuration: Histogram
  readonly scoredLatency: Histogram
  readonly jobsProcessed: Counter
  readonly retries: Counter
  readonly stalled: Counter
  readonly groupsPublished: Counter
  readonly groupsLeased: Counter
  readonly groupsAcked: Counter
  readonly redeliveries: Counter
  readonly droppedStale: Counter
  readonly rollouts: Counter

  constructor (registry: Registry, source?: DepthSource) {
    const registers = [registry]
    this.jobDuration = new Histogram({ name: 'rwd_queue_job_duration_seconds', help: 'Time a worker spent scoring and publishing one rollout.', buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120], registers })
    this.scoredLatency = new Histogram({ name: 'rwd_queue_latency_seconds', help: 'From POST /v1/rollouts to its groups being leasable.', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120], registers })
    this.jobsProcessed = new Counter({ name: 'rwd_queue_jobs_total', help: 'Rollout jobs finished by this process, by outcome (completed, failed: retries exhausted or unrecoverable).', labelNames: ['outcome'], registers })
    this.retries = new Counter({ name: 'rwd_queue_retries_total', help: 'Rollout attempts that failed transiently and will be retried.', registers })
    this.stalled = new Counter({ name: 'rwd_queue_stalled_total', help: 'Rollouts whose worker died or stalled, taken up again.', registers })
    this.rollouts = new Counter({ name: 'rwd_rollouts_submitted_total', help: 'POST /v1/rollouts by outcome (created, duplicate, conflict, full).', labelNames: ['outcome'], registers })
    this.groupsPublished = new Counter({ name: 'rwd_groups_published_total', help: 'Scored groups published to trainers.', labelNames: ['run'], registers })
    this.groupsLeased = new Counter({ name: 'rwd_groups_leased_total', help: 'Groups handed out in leases (redeliveries included).', labelNames: ['run'], registers })
    this.groupsAcked = new Counter({ name: 'rwd_groups_acked_total', help: 'Groups acked by trainers.', labelNames: ['run'], registers })
    this.redeliveries = new Counter({ name: 'rwd_groups_redelivered_total', help: 'Groups put back for delivery because their lease expired or was given back (nack).', labelNames: ['run', 'reason'], registers })
    this.droppedStale = new Counter({ name: 'rwd_groups_dropped_stale_total', help: 'Groups dropped for a policy version below min_policy_version.', labelNames: ['run'], registers })
    if (source !== undefined) {
      // One collect, on the first of the three gauges (registered first, so read first): a scrape reads Redis once.
      const jobs = new Gauge({
        name: 'rwd_queue_depth',
        help: 'Rollout jobs by state (read from Redis at scrape time).',
        labelNames: ['state'],
        registers,
        collect: async () => {
          const d = await source.depths().catch(() => null)
          up.set(d === null ? 0 : 1)
          if (d === null) return
          jobs.reset()
          groups.reset()
          for (const [state, n] of Object.entries(d.jobs)) jobs.set({ state }, n)
          for (const r of d.runs) {
            groups.set({ run: r.run, state: 'ready' }, r.ready)
            groups.set({ run: r.run, state: 'leased' }, r.leased)
          }
        }
      })
      const groups = new Gauge({ name: 'rwd_trainer_groups', help: 'Scored groups by run and state: ready (leasable) or leased (read from Redis at scrape time).', labelNames: ['run', 'state'], registers })
      const up = new Gauge({ name: 'rwd_redis_up', help: '1 when Redis answered the last scrape.', registers })
    }
  }
}
