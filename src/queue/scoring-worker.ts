/**
 * A BullMQ scoring worker: the processor behind a worker connection that rides out Redis restarts, with
 * its outcomes counted, and a graceful close (finish in-flight rollouts within the grace period, then hand
 * the rest back to the queue). Used by src/worker.ts and by the API's embedded worker.
 */
import { Worker, UnrecoverableError } from 'bullmq'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config/schema.ts'
import type { Scorer } from '../scoring/scorer.ts'
import { KeySpace, QUEUE_NAME } from './names.ts'
import { RedisLink } from './redis.ts'
import { LeaseStore } from './lease-store.ts'
import { createProcessor } from './processor.ts'
import type { QueueMetrics } from './metrics.ts'
import type { RolloutJobData } from './types.ts'
import type { ScoreReply } from '../scoring/schema.ts'

type Log = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>

export interface ScoringWorker {
  worker: Worker<RolloutJobData, ScoreReply>
  link: RedisLink
  close: () => Promise<void>
}

export function startScoringWorker (opts: { config: Config, scorer: Scorer, metrics?: QueueMetrics, log: Log, name?: string }): ScoringWorker {
  const { config, metrics, log } = opts
  const link = new RedisLink({ url: config.REDIS_URL, connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS, role: 'worker', name: opts.name ?? 'rwd-worker' })
  link.start()
  const keys = new KeySpace(config.QUEUE_PREFIX)
  const store = new LeaseStore(keys, config.ROLLOUT_IDEMPOTENCY_TTL_S)
  const processor = createProcessor({ scorer: opts.scorer, store, client: link.client, metrics })
  const worker = new Worker<RolloutJobData, ScoreReply>(QUEUE_NAME, processor, {
    connection: link.client,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: config.WORKER_LOCK_MS,
    maxStalledCount: 3
  })
  worker.on('completed', () => metrics?.jobsProcessed.inc({ outcome: 'completed' }))
  worker.on('failed', (job, err) => {
    const final = job === undefined || err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1)
    if (final) {
      metrics?.jobsProcessed.inc({ outcome: 'failed' })
      log.error({ jobId: job?.id, rollout: job?.data.id, err: err.message }, 'rollout failed for good (visible at GET /v1/rollouts/:id and /admin/queues)')
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

  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    closing ??= (async () => {
      const timer = setTimeout(() => {
        log.warn({ graceMs: config.WORKER_SHUTDOWN_GRACE_MS }, 'grace period over: handing in-flight rollouts back to the queue')
        worker.cancelAllJobs('shutdown')
      }, config.WORKER_SHUTDOWN_GRACE_MS)
      try {
        // Without Redis nothing in flight can finish (and BullMQ would wait for it forever): close at once.
        const down = !link.ready
        if (down) link.client.disconnect()
        await worker.close(down)
      } finally {
        clearTimeout(timer)
        await link.close()
      }
    })()
    await closing
  }
  return { worker, link, close }
}
