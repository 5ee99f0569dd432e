/**
 * A scoring worker: one BullMQ Worker per partition of the rollout queue (each WORKER_CONCURRENCY), the
 * processor behind a worker connection that rides out Redis restarts and failovers, with its outcomes
 * counted, and a graceful close (finish in-flight rollouts within the grace period, then hand the rest back
 * to the queue). Used by src/worker.ts and by the API's embedded worker.
 * Fairness across runs: besides the fair order of the queue (producer.ts), one run holds at most half of
 * this process's scoring slots while another run has rollouts waiting; a rollout over that share goes back
 * to the queue for RUN_DEFER_MS (not an attempt), so one run's slow code cannot starve another run's math.
 * A finished rollout (completed, or failed for good) is announced on <prefix>:done (wakes GET ?wait) and
 * leaves its run's pending count.
 */
import { Worker, UnrecoverableError, DelayedError, type Job, type Processor } from 'bullmq'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config/schema.ts'
import type { Scorer } from '../scoring/scorer.ts'
import { KeySpace, QUEUE_NAME } from './names.ts'
import { RedisLink } from './redis.ts'
import { LeaseStore } from './lease-store.ts'
import { createProcessor } from './processor.ts'
import { waitReplicas } from './producer.ts'
import type { QueueMetrics } from './metrics.ts'
import type { RolloutJobData } from './types.ts'
import type { ScoreReply } from '../scoring/schema.ts'

type Log = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>

/** How long a rollout over its run's share of slots waits before it is offered again. */
const RUN_DEFER_MS = 250

export interface ScoringWorker {
  /** One per partition. */
  workers: Array<Worker<RolloutJobData, ScoreReply>>
  link: RedisLink
  close: () => Promise<void>
}

export function startScoringWorker (opts: { config: Config, scorer: Scorer, metrics?: QueueMetrics, log: Log, name?: string }): ScoringWorker {
  const { config, metrics, log } = opts
  const link = new RedisLink({ url: config.REDIS_URL, connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS, role: 'worker', name: opts.name ?? 'rwd-worker' })
  link.start()
  const keys = new KeySpace(config.QUEUE_PREFIX, config.QUEUE_PARTITIONS)
  const store = new LeaseStore(keys, config.ROLLOUT_IDEMPOTENCY_TTL_S)
  const replicas = waitReplicas(config, link)
  const confirm = async (key: string): Promise<void> => { await link.replicated(key, replicas, config.REDIS_WAIT_TIMEOUT_MS) }
  const processor = fair(createProcessor({ scorer: opts.scorer, store, client: link.client, metrics, confirm }), keys, link, config.WORKER_CONCURRENCY * keys.partitions.length)
  const finished = (job: Job<RolloutJobData>): void => {
    link.client.hincrby(keys.pending(), job.data.run, -1).catch(() => {})
    link.client.publish(keys.doneChannel(), job.id ?? '').catch(() => {})
  }
  const workers = keys.partitions.map(prefix => {
    const worker = new Worker<RolloutJobData, ScoreReply>(QUEUE_NAME, processor, {
      connection: link.client,
      prefix,
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.WORKER_LOCK_MS,
      stalledInterval: config.WORKER_LOCK_MS,
      maxStalledCount: 3
    })
    worker.on('completed', (job) => {
      metrics?.jobsProcessed.inc({ outcome: 'completed' })
      finished(job)
    })
    worker.on('failed', (job, err) => {
      const final = job === undefined || err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1)
      if (final) {
        metrics?.jobsProcessed.inc({ outcome: 'failed' })
        log.error({ jobId: job?.id, rollout: job?.data.id, err: err.message }, 'rollout failed for good (visible at GET /v1/rollouts/:id and /admin/queues)')
        if (job !== undefined) finished(job)
      } else {
        metrics?.retries.inc()
        log.warn({ jobId: job.id, rollout: job.data.id, attempt: job.attemptsMade, err: err.message }, 'rollout failed transiently; retrying with backoff')
      }
    })
    worker.on('stalled', (jobId) => {
      metrics?.stalled.inc()
      log.warn({ jobId }, 'rollout stalled (its worker died or hung); scoring it again')
    })
    worker.on('error', (err) => { log.warn({ err: err.message }, 'worker connection error (reconnecting)') })
    return worker
  })

  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    closing ??= (async () => {
      const timer = setTimeout(() => {
        log.warn({ graceMs: config.WORKER_SHUTDOWN_GRACE_MS }, 'grace period over: handing in-flight rollouts back to the queue')
        for (const worker of workers) worker.cancelAllJobs('shutdown')
      }, config.WORKER_SHUTDOWN_GRACE_MS)
      try {
        // Without Redis nothing in flight can finish (and BullMQ would wait for it forever): close at once.
        const down = !link.ready
        if (down) link.client.disconnect()
        await Promise.all(workers.map(async worker => { await worker.close(down) }))
      } finally {
        clearTimeout(timer)
        await link.close()
      }
    })()
    await closing
  }
  return { workers, link, close }
}

/**
 * Wraps the processor with the run share: a run already holding half of the process's slots gets another
 * one only when no other run has rollouts pending (<prefix>:pending); otherwise the rollout is deferred.
 */
function fair (inner: Processor<RolloutJobData, ScoreReply>, keys: KeySpace, link: RedisLink, slots: number): Processor<RolloutJobData, ScoreReply> {
  const share = Math.max(1, Math.floor(slots / 2))
  const active = new Map<string, number>()
  return async (job, token, signal) => {
    const run = typeof job.data?.run === 'string' ? job.data.run : 'default'
    const mine = active.get(run) ?? 0
    if (mine >= share) {
      const pending = await link.client.hgetall(keys.pending())
      const others = Object.entries(pending).some(([r, n]) => r !== run && Number(n) > (active.get(r) ?? 0))
      if (others) {
        await job.moveToDelayed(Date.now() + RUN_DEFER_MS, token)
        throw new DelayedError()
      }
    }
    active.set(run, mine + 1)
    try {
      return await inner(job, token, signal)
    } finally {
      const left = (active.get(run) ?? 1) - 1
      if (left <= 0) active.delete(run)
      else active.set(run, left)
    }
  }
}
