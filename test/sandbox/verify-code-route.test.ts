/** POST /v1/verify/code through app.inject on the real app (auth, admission gates and the sandboxes as served). */
import { before, test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig } from '../../src/config/load.ts'
import { buildApp } from '../../src/app.ts'
import type { App } from '../../src/http/services.ts'

let app: App
before(async (t) => {
  app = await buildApp({ config: loadConfig({ MATH_THREADS: '1', CODE_PYTHON_SLOTS: '1' }), logger: false })
  await app.ready()
})
test.after(async () => { await app.close() })

test('per-test verdicts and the fraction reward (javascript, call form)', async () => {
  const r = await app.inject({
    method: 'POST',
    url: '/v1/verify/code',
    payload: { language: 'javascript', code: 'const f = x => x + 1', tests: { type: 'call', function: 'f', cases: [{ args: [1], expected: 2 }, { args: [2], expected: 4 }] } }
  })
  assert.equal(r.statusCode, 200)
  const body = r.json()
  assert.equal(body.status, 'ok')
  assert.equal(body.reward, 0.5)
  assert.deepEqual(body.tests.map((t: { verdict: string }) => t.verdict), ['passed', 'wrong_answer'])
})

test('all_or_nothing scoring', async () => {
  const r = await app.inject({
    method: 'POST',
    url: '/v1/verify/code',
    payload: { language: 'javascript', code: 'const f = x => x + 1', scoring: 'all_or_nothing', tests: { type: 'call', function: 'f', cases: [{ args: [1], expected: 2 }, { args: [2], expected: 4 }] } }
  })
  assert.equal(r.json().reward, 0)
})

test('bad requests are 400 naming the field', async () => {
  for (const payload of [
    { language: 'ruby', code: '', tests: { type: 'script', script: 'x' } },
    { language: 'python', code: 'x', tests: { type: 'call', function: 'f', cases: [] } },
    { language: 'python', code: 'x', tests: { type: 'stdio', cases: [{ stdin: '' }] } },
    { language: 'python', code: 'x', tests: { type: 'script', script: 'x' }, limits: { time_ms: -1 } }
  ]) {
    const r = await app.inject({ method: 'POST', url: '/v1/verify/code', payload })
    assert.equal(r.statusCode, 400, JSON.stringify(payload))
  }
})
