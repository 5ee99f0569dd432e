import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.ts'

interface Reply { equivalent: boolean | null, status: string, rule: string | null, gold: { extracted: string | null, parsed: string | null }, prediction: { extracted: string | null, parsed: string | null } }

test('POST /v1/verify/math explains what it compared', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/v1/verify/math', payload: { gold: '\\frac{1}{2}', prediction: 'so the answer is \\boxed{0.5}' } })
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json<Reply>()
  assert.equal(body.equivalent, true)
  assert.equal(body.status, 'ok')
  assert.equal(body.prediction.extracted, '0.5')
  assert.ok(body.gold.parsed !== null && body.prediction.parsed !== null)
  assert.ok(typeof body.rule === 'string' && body.rule.length > 0)
  const wrong = (await app.inject({ method: 'POST', url: '/v1/verify/math', payload: { gold: '1/2', prediction: '0.6', extract: false } })).json<Reply>()
  assert.equal(wrong.equivalent, false)
  const unscorable = (await app.inject({ method: 'POST', url: '/v1/verify/math', payload: { gold: '\\frac{', prediction: '1' } })).json<Reply>()
  assert.equal(unscorable.status, 'unscorable')
  assert.equal(unscorable.equivalent, null)
  const missing = await app.inject({ method: 'POST', url: '/v1/verify/math', payload: { prediction: '1' } })
  assert.equal(missing.statusCode, 400)
  assert.equal(missing.json<{ field: string }>().field, '/gold')
})
