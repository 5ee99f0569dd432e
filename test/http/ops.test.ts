import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { build, r1 } from '../helper.ts'
import { generateOpenApi } from '../../scripts/openapi-build.ts'

test('healthz, readyz, docs', async (t) => {
  const app = await build(t)
  assert.deepEqual((await app.inject('/healthz')).json(), { status: 'ok' })
  const ready = await app.inject('/readyz')
  assert.equal(ready.statusCode, 200, ready.body)
  assert.equal(ready.json<{ checks: { math: string } }>().checks.math, 'ok')
  const docs = await app.inject('/docs/json')
  assert.equal(docs.statusCode, 200)
  assert.ok(Object.keys(docs.json<{ paths: object }>().paths).includes('/v1/score'))
  assert.equal((await app.inject('/docs')).statusCode < 400, true)
})

test('metrics: requests and per-reward outcomes in Prometheus format', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/v1/score', payload: { groups: [{ id: 'a', reference: { type: 'math', answer: '1' }, completions: [r1('x', '1'), 'bad'] }] } })
  const res = await app.inject('/metrics')
  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /text\/plain/)
  assert.match(res.body, /rwd_reward_results_total\{component="accuracy",status="ok_positive"\} 1/)
  assert.match(res.body, /rwd_reward_results_total\{component="format",status="ok_zero_or_negative"\} 1/)
  assert.match(res.body, /rwd_reward_duration_seconds_count\{component="accuracy"\} 1/)
  assert.match(res.body, /rwd_http_requests_total\{method="POST",route="\/v1\/score",status="200"\} 1/)
  assert.match(res.body, /rwd_completions_scored_total 2/)
})

test('openapi/openapi.json is what the routes generate (run npm run openapi:build after a change)', async () => {
  const committed = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')
  assert.equal(committed, await generateOpenApi())
})
