import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { loadConfig } from '../../../src/config/load.ts'
import { createMathVerifier } from '../../../src/rewards/math/index.ts'
import type { MathVerifier } from '../../../src/rewards/math/api.ts'
import { LanguagePool } from '../../../src/rewards/language/pool.ts'
import { Scorer } from '../../../src/scoring/scorer.ts'
import { startScoringWorker } from '../../../src/queue/scoring-worker.ts'
import { KeySpace, QUEUE_NAME, jobIdOf } from '../../../src/queue/names.ts'
import { Registry } from 'prom-client'
import { QueueMetrics } from '../../../src/queue/metrics.ts'
import { queueApp } from './app.ts'
import { REDIS_URL, mathRollout } from './helpers.ts'

/** The real verifier, made to fail its first `failures` calls the way a crashed pool would (a transient fault). */
function flaky (inner: MathVerifier, failures: number): MathVerifier & { calls: () => number } {
  let calls = 0
  return {
    check: async (input, opts) => await inner.check(input, opts),
    checkMany: async (inputs, opts) => {
      calls++
      if (calls <= failures) throw new Error(`math pool crashed (simulated fault ${calls})`)
      return await inner.checkMany(inputs, opts)
    },
    close: async () => {},
    calls: () => calls
  }
}

test('transient failures retry with backoff; deterministic ones fail at once; exhausted jobs stay visible', async (t) => {
  const { app, prefix } = await queueApp(t, { name: 'fail', env: { JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '50' } })
  const config = loadConfig({ REDIS_URL, QUEUE_PREFIX: prefix, JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '50', WORKER_CONCURRENCY: '1', LOG_LEVEL: 'silent' })
  const real = createMathVerifier({ threads: 1, deadlineMs: 2000 })
  const language = new LanguagePool(0)
  t.after(async () => { await real.close(); await language.close() })
  const math = flaky(real, 2)
  const log = { info: () => {}, warn: () => {}, error: () => {} }
  const registry = new Registry()
  const metrics = new QueueMetrics(registry)
  const worker = startScoringWorker({ config, scorer: new Scorer({ math, language }), metrics, log })
  t.after(async () => { await worker.close() })

  // 1. two simulated crashes, then success on the third attempt
  assert.equal((await app.inject({ method: 'POST', url: '/v1/rollouts', payload: mathRollout('flaky', 1) })).statusCode, 202)
  const ok = (await app.inject('/v1/rollouts/flaky?wait=20000')).json()
  assert.equal(ok.state, 'completed', JSON.stringify(ok))
  assert.equal(ok.attempts, 3)
  assert.equal(math.calls(), 3)

  // 2. a malformed job (written to the queue by something other than our API): failed after one attempt
  const keys = new KeySpace(prefix, config.QUEUE_PARTITIONS)
  const queues = keys.partitions.map(p => new Queue(QUEUE_NAME, { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix: p }))
  t.after(async () => { for (const q of queues) { await q.close(); await q.disconnect() } })
  const q = queues[keys.partitionOf('bad')]!
  const r = new Redis(REDIS_URL)
  t.after(() => r.disconnect())
  await r.set(`${prefix}:idem:${(await import('../../../src/lib/hash.ts')).sha256Hex('bad').slice(0, 40)}`, 'x 1')
  await q.add('score', { id: 'bad', run: 'default', request: { groups: 'not a list' } }, { jobId: jobIdOf('bad'), attempts: 3 })
  const bad = (await app.inject('/v1/rollouts/bad?wait=20000')).json()
  assert.equal(bad.state, 'failed', JSON.stringify(bad))
  assert.equal(bad.attempts, 1, 'UnrecoverableError: not retried')
  assert.match(bad.error, /malformed rollout job/)

  // 3. a fault that never clears: retried JOB_ATTEMPTS times, then failed and visible (GET, the failed set, metrics)
  const always = flaky(real, 1_000)
  await worker.close()
  const worker2 = startScoringWorker({ config, scorer: new Scorer({ math: always, language }), metrics, log })
  t.after(async () => { await worker2.close() })
  assert.equal((await app.inject({ method: 'POST', url: '/v1/rollouts', payload: mathRollout('doomed', 1) })).statusCode, 202)
  const doomed = (await app.inject('/v1/rollouts/doomed?wait=20000')).json()
  assert.equal(doomed.state, 'failed', JSON.stringify(doomed))
  assert.equal(doomed.attempts, 3)
  assert.match(doomed.error, /math pool crashed/)
  assert.equal(always.calls(), 3)
  assert.equal((await Promise.all(queues.map(async q => await q.getJobCountByTypes('failed')))).reduce((a, b) => a + b, 0), 2, 'exhausted jobs are kept in the failed set')
  const m = await registry.metrics()
  assert.match(m, /rwd_queue_retries_total 4/)
  assert.match(m, /rwd_queue_jobs_total\{outcome="failed"\} 2/)
  assert.match(m, /rwd_queue_jobs_total\{outcome="completed"\} 1/)
  assert.match((await app.inject('/metrics')).body, /rwd_queue_depth\{state="failed"\} 2/)
})
