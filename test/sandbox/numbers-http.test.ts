/**
 * Numbers as the client wrote them reach the comparison through the real app (body parser → route →
 * verifier; /v1/score → scorer → verifier): an expected 18446744073709551615 is not 2**64, 5.0 is a float
 * with tolerance, 5 is an integer that 4.9999996 misses, and arguments written 2.0 arrive as floats.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.ts'
import type { ScoreReply } from '../../src/scoring/schema.ts'

const CASES = '[{"args": [0], "expected": 18446744073709551615}, {"args": [1], "expected": 18446744073709551615},' +
  ' {"args": [2], "expected": 5.0}, {"args": [3], "expected": 5}, {"args": [2.0], "expected": "float"}, {"args": [4], "expected": 100000000000000000001}]'
const CODE = 'def f(i):\n    if isinstance(i, float):\n        return type(i).__name__\n    return [2 ** 64, 2 ** 64 - 1, 4.9999996, 4.9999996, 0, 1e20][i]\n'

test('/v1/verify/code compares the numbers as written', async (t) => {
  const app = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/v1/verify/code',
    headers: { 'content-type': 'application/json' },
    payload: `{"language": "python", "code": ${JSON.stringify(CODE)}, "tests": {"type": "call", "function": "f", "cases": ${CASES}}}`
  })
  assert.equal(res.statusCode, 200, res.body)
  const verdicts = (res.json().tests as Array<{ verdict: string }>).map(x => x.verdict)
  assert.deepEqual(verdicts, ['wrong_answer', 'passed', 'passed', 'wrong_answer', 'passed', 'wrong_answer'])
})

test('/v1/score code references compare the numbers as written', async (t) => {
  const app = await build(t)
  const completion = `<answer>\n\`\`\`python\n${CODE}\`\`\`\n</answer>`
  const res = await app.inject({
    method: 'POST',
    url: '/v1/score',
    headers: { 'content-type': 'application/json' },
    payload: `{"groups": [{"id": "n", "reference": {"type": "code", "language": "python", "tests": {"type": "call", "function": "f", "cases": ${CASES}}}, "completions": [${JSON.stringify(completion)}]}]}`
  })
  assert.equal(res.statusCode, 200, res.body)
  const [g] = res.json<ScoreReply>().groups
  assert.equal(g?.results[0]?.components.accuracy?.score, 3 / 6)
})
