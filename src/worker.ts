/**
 * Entry of a standalone scoring worker (npm run worker): load the configuration, start a BullMQ worker on
 * the rollout queue with WORKER_CONCURRENCY, serve its Prometheus metrics on WORKER_METRICS_PORT (0: off),
 * and on SIGTERM/SIGINT finish in-flight rollouts within WORKER_SHUTDOWN_GRACE_MS, hand back the rest, exit.
 * Scale out by running more of these (any machine that reaches REDIS_URL).
 */
import { createServer } from 'node:http'
import { pino } from 'pino'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { loadConfig } from './config/load.ts'
import type { Config } from './config/schema.ts'
import { createScoringResources } from './scoring/resources.ts'
import { QueueMetrics } from './queue/metrics.ts'
import { startScoringWorker } from './queue/scoring-worker.ts'

let config: Config
try {
  config = loadConfig(process.env)
} catch (err) {
  console.error((err as Error).message)
  process.exit(1)
}
const log = pino({ level: config.LOG_LEVEL, base: { role: 'worker', pid: process.pid } })
const registry = new Registry()
collectDefaultMetrics({ register: registry, prefix: 'rwd_worker_' })
const metrics = new QueueMetrics(registry)
const resources = createScoringResources(config)
const worker = startScoringWorker({ config, scorer: resources.scorer, metrics, log })

const server = config.WORKER_METRICS_PORT === 0
  ? undefined
  : createServer((req, res) => {
    if (req.url !== '/metrics') { res.writeHead(404).end(); return }
    registry.metrics().then(text => res.writeHead(200, { 'content-type': registry.contentType }).end(text), () => res.writeHead(500).end())
  }).listen(config.WORKER_METRICS_PORT, config.HOST)

log.info({ concurrency: config.WORKER_CONCURRENCY, prefix: config.QUEUE_PREFIX, redis: worker.link.where }, 'scoring worker started')

let stopping = false
async function shutdown (signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  log.info({ signal, graceMs: config.WORKER_SHUTDOWN_GRACE_MS }, 'shutting down: finishing in-flight rollouts')
  try {
    await worker.close()
    server?.close()
    await resources.close()
    log.info('worker stopped')
    process.exit(0)
  } catch (err) {
    log.error({ err }, 'unclean shutdown')
    process.exit(1)
  }
}
process.on('SIGTERM', () => { shutdown('SIGTERM').catch(() => process.exit(1)) })
process.on('SIGINT', () => { shutdown('SIGINT').catch(() => process.exit(1)) })
