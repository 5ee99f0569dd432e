/**
 * Numbers of code tests as the client wrote them survive the rollout queue (BullMQ stores jobs as JSON): an
 * expected 18446744073709551615 stays that integer (not 2**64) and 5.0 stays a float, so a call test scored
 * through POST /v1/rollouts gets the reward /v1/score gives the same body.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { queueApp } from './app.ts'
import { REDIS_URL } from './helpers.ts'

// lossless: wrong, passed, passed, wrong (2/4); read through a plain JSON round trip: passed, wrong, wrong, wrong (1/4)
const CASES = '[{"args": [0], "expected": 18446744073709551615}, {"args": [1], "expected": 18446744073709551615},' +
  ' {"args": [2], "expected": 5.0}, {"args": [3], "expected": 5}]'
const CODE = 'function f (i) { return [2n ** 64n, 2n ** 64n - 1n, 4.9999996, 4.9999996][i] }'
const completion = `<answer>\n\`\`\`javascript\n${CODE}\n\`\`\`\n</answer>`
const groups = `[{"id": "n", "reference": {"type": "code", "language": "javascript", "tests": {"type": "call", "function": "f", "cases": ${CASES}}}, "completions": [${JSON.stringify(completion)}]}]`

test('a call test scored through the rollout queue compares the numbers as written, as /v1/score does', async (t) => {
  const { app } = await queueApp(t, { url: REDIS_URL, worker: true, name: 'numbers' })
  const headers = { 'content-type': 'application/json' }
  const direct = await app.inject({ method: 'POST', url: '/v1/score', headers, payload: `{"groups": ${groups}}` })
  assert.equal(direct.statusCode, 200, direct.body)
  const score = (reply: { groups: Array<{ results: Array<{ components: { accuracy?: { score: number } } }> }> }): number | undefined => reply.groups[0]?.results[0]?.components.accuracy?.score
  assert.equal(score(direct.json()), 2 / 4)

  const posted = await app.inject({ method: 'POST', url: '/v1/rollouts', headers, payload: `{"id": "numbers-1", "groups": ${groups}}` })
  assert.equal(posted.statusCode, 202, posted.body)
  const st = await app.inject({ method: 'GET', url: '/v1/rollouts/numbers-1?wait=30000' })
  assert.equal(st.statusCode, 200, st.body)
  const s = st.json()
  assert.equal(s.state, 'completed', st.body)
  assert.equal(score(s.result), 2 / 4, 'the queue lost the numbers as written')

  // 5 and 5.0 are different tests: the same id with the other text is another body
  const other = await app.inject({ method: 'POST', url: '/v1/rollouts', headers, payload: `{"id": "numbers-1", "groups": ${groups.replace('5.0', '5')}}` })
  assert.equal(other.statusCode, 409, other.body)
})
