import { test } from 'node:test'
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { build, r1 } from '../helper.ts'
import { keysFile, bearer } from './keys.ts'
import { loadConfig } from '../../src/config/load.ts'
import { createScoringResources } from '../../src/scoring/resources.ts'
import type { ScoreRequest } from '../../src/scoring/schema.ts'

const spin = { language: 'javascript', code: 'function f () { while (true) {} }', tests: { type: 'call', function: 'f', cases: [{ args: [], expected: 1 }] }, limits: { time_ms: 1500 } }

test("a tenant whose code backlog would wait too long gets 429 + Retry-After; another tenant's math is served", async (t) => {
  const keys = keysFile(t, { hostile: ['score'], ordinary: ['score'] })
  const app = await build(t, { API_KEYS_FILE: keys.path, CODE_MAX_CONCURRENT: '1', ADMISSION_MAX_WAIT_MS: '200' })
  const H = bearer(keys.key.hostile)
  const first = app.inject({ method: 'POST', url: '/v1/verify/code', payload: spin, headers: H })
  await new Promise(resolve => setTimeout(resolve, 50))
  const second = await app.inject({ method: 'POST', url: '/v1/verify/code', payload: spin, headers: H })
  assert.equal(second.statusCode, 429, second.body)
  assert.equal(second.json<{ code: string }>().code, 'RWD_ERR_BUSY')
  assert.ok(Number(second.headers['retry-after']) >= 1)
  assert.match(second.json<{ message: string }>().message, /ADMISSION_MAX_WAIT_MS/)
  const math = await app.inject({ method: 'POST', url: '/v1/verify/math', payload: { gold: '1/2', prediction: '0.5', extract: false }, headers: bearer(keys.key.ordinary) })
  assert.equal(math.statusCode, 200, math.body)
  const done = await first
  assert.equal(done.statusCode, 200, done.body)
  assert.equal(done.json<{ tests: Array<{ verdict: string }> }>().tests[0]?.verdict, 'timeout')
})

test('a code request over REQUEST_CODE_BUDGET_S is refused before any work, naming the field and the setting', async (t) => {
  const app = await build(t, { REQUEST_CODE_BUDGET_S: '60' })
  const cases = Array.from({ length: 100 }, (_, i) => ({ args: [i], expected: i }))
  const body = { language: 'python', code: 'def f(x): return x', tests: { type: 'call', function: 'f', cases } }
  const refused = await app.inject({ method: 'POST', url: '/v1/verify/code', payload: body })
  assert.equal(refused.statusCode, 413)
  assert.equal(refused.json<{ field: string }>().field, '/tests')
  assert.match(refused.json<{ message: string }>().message, /REQUEST_CODE_BUDGET_S \(60\)/)
  const lowered = await app.inject({ method: 'POST', url: '/v1/verify/code', payload: { ...body, limits: { time_ms: 500 } } })
  assert.equal(lowered.statusCode, 200, lowered.body)
  const group = { id: 'c', reference: { type: 'code', language: 'python', tests: body.tests }, completions: ['```python\ndef f(x): return x\n```'] }
  const score = await app.inject({ method: 'POST', url: '/v1/score', payload: { groups: [group] } })
  assert.equal(score.statusCode, 413)
  assert.equal(score.json<{ field: string }>().field, '/groups')
})

test("one request's signal carries at most one listener per running check, never one per check", async (t) => {
  const config = loadConfig({ MATH_THREADS: '1', TEXT_THREADS: '0' })
  const resources = createScoringResources(config)
  t.after(async () => { await resources.close() })
  const groups = Array.from({ length: 300 }, (_, g) => ({ id: `g${g}`, reference: { type: 'math' as const, answer: String(g) }, completions: Array.from({ length: 16 }, (_, i) => r1('t', String(g + (i % 2)))) }))
  const ac = new AbortController()
  let peak = 0
  let sampling = true
  const sample = (): void => { peak = Math.max(peak, getEventListeners(ac.signal, 'abort').length); if (sampling) setImmediate(sample) }
  sample()
  const reply = await resources.scorer.score({ groups } as ScoreRequest, ac.signal, 'tenant')
  sampling = false
  assert.equal(reply.groups.length, 300)
  assert.equal(reply.groups[5]?.results[0]?.reward, 2)
  assert.ok(peak <= 1 + config.MATH_THREADS, `peak listeners ${peak}`)
  // a client that leaves cancels the rest: the call rejects and nothing stays queued at the gate
  const again = resources.scorer.score({ groups } as ScoreRequest, ac.signal, 'tenant')
  setTimeout(() => { ac.abort(new Error('client left')) }, 30)
  await assert.rejects(again, /client left/)
  assert.equal(resources.gates.math.inFlight <= config.MATH_THREADS, true)
})

test('/get_reward goes through the same admission: 429 + Retry-After for the key over its wait, another key served, 413 over the code budget', async (t) => {
  const keys = keysFile(t, { hostile: ['score'], ordinary: ['score'] })
  const app = await build(t, { API_KEYS_FILE: keys.path, CODE_MAX_CONCURRENT: '1', ADMISSION_MAX_WAIT_MS: '200', REQUEST_CODE_BUDGET_S: '60', QUEUE_PREFIX: `t-admission-${process.pid}` })
  const H = bearer(keys.key.hostile)
  const query = `<think>\nloop\n</think>\n<answer>\n\`\`\`javascript\n${spin.code}\n\`\`\`\n</answer>`
  const label = { type: 'code', language: 'javascript', tests: spin.tests, limits: spin.limits }
  const first = app.inject({ method: 'POST', url: '/get_reward', payload: { query: [query], labels: [label] }, headers: H })
  await new Promise(resolve => setTimeout(resolve, 50))
  const second = await app.inject({ method: 'POST', url: '/get_reward', payload: { query: [query], labels: [label] }, headers: H })
  assert.equal(second.statusCode, 429, second.body)
  assert.equal(second.json<{ code: string }>().code, 'RWD_ERR_BUSY')
  assert.ok(Number(second.headers['retry-after']) >= 1, String(second.headers['retry-after']))
  // the other key's math is not queued behind the hostile key's code
  const math = await app.inject({ method: 'POST', url: '/get_reward', payload: { query: [r1('t', '\\boxed{0.5}')], labels: ['1/2'] }, headers: bearer(keys.key.ordinary) })
  assert.equal(math.statusCode, 200, math.body)
  assert.match(math.body, /"rewards":\[2\.0\]/)
  const done = await first
  assert.equal(done.statusCode, 200, done.body)
  assert.match(done.body, /"unscorable":\[0\.0\]/) // the loop timed out: a 0 the solution caused, not a null
  // cases x time limit over every label, before any work: 100 cases x 10 s > 60 s
  const cases = Array.from({ length: 100 }, (_, i) => ({ args: [i], expected: i }))
  const big = { type: 'code', language: 'python', tests: { type: 'call', function: 'f', cases } }
  const refused = await app.inject({ method: 'POST', url: '/get_reward', payload: { query: ['x'], labels: [big] }, headers: bearer(keys.key.ordinary) })
  assert.equal(refused.statusCode, 413, refused.body)
  assert.equal(refused.json<{ field: string }>().field, '/labels')
  assert.match(refused.json<{ message: string }>().message, /REQUEST_CODE_BUDGET_S \(60\)/)
})
