import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig } from '../../../src/config/load.ts'
import { buildApp } from '../../../src/app.ts'
import { freePort, mathRollout } from './helpers.ts'

test('without a reachable Redis: the service starts, /v1/score works, queue routes answer 503 naming the Redis at once, /readyz says so', async (t) => {
  const port = await freePort() // nothing listens there
  const t0 = Date.now()
  const app = await buildApp({ config: loadConfig({ MATH_THREADS: '1', TEXT_THREADS: '0', REDIS_URL: `redis://:s3cret@127.0.0.1:${port}/0`, REDIS_CONNECT_TIMEOUT_MS: '500' }), logger: false, worker: true })
  t.after(async () => { await app.close() })
  await app.ready()
  assert.ok(Date.now() - t0 < 10_000, 'starts without Redis')
  const score = await app.inject({ method: 'POST', url: '/v1/score', payload: { groups: (mathRollout('x', 1).groups as unknown[]) } })
  assert.equal(score.statusCode, 200, score.body)

  for (const [method, url, payload] of [
    ['POST', '/v1/rollouts', mathRollout('down-1', 1)],
    ['GET', '/v1/rollouts/down-1?wait=5000', undefined],
    ['POST', '/v1/trainer/lease', { max_groups: 1, lease_ms: 1000, wait_ms: 5000 }],
    ['POST', '/v1/trainer/ack', { lease: 'default.00000000-0000-0000-0000-000000000000' }]
  ] as const) {
    const t1 = Date.now()
    const res = await app.inject({ method, url, payload })
    const ms = Date.now() - t1
    assert.equal(res.statusCode, 503, `${method} ${url}: ${res.body}`)
    const body = res.json()
    assert.equal(body.code, 'RWD_ERR_QUEUE_UNAVAILABLE')
    assert.match(body.message, new RegExp(`Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0 is unreachable`))
    assert.doesNotMatch(body.message, /s3cret/, 'the password is never shown')
    assert.equal(res.headers['retry-after'], '1')
    assert.ok(ms < 1500, `${method} ${url} answered in ${ms} ms`)
  }
  const ready = await app.inject('/readyz')
  assert.equal(ready.statusCode, 200, '/v1/score works, so the service stays ready')
  assert.equal(ready.json().status, 'degraded')
  assert.match(ready.json().checks.redis, /^unavailable: .*unreachable/)
  assert.equal(ready.json().checks.math, 'ok')
  const dash = await app.inject('/admin/queues')
  assert.equal(dash.statusCode, 503)
  assert.match((await app.inject('/metrics')).body, /rwd_redis_up 0/)
})
