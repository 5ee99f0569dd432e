import { test } from 'node:test'
import assert from 'node:assert/strict'
import { clusterAnswers, mathEquivalence } from '../../../src/eval/clusters.ts'
import { evaluateProblem } from '../../../src/eval/problem.ts'
import { createMathVerifier } from '../../../src/rewards/math/index.ts'
import type { ScoredGroup } from '../../../src/eval/schema.ts'

test('clusters without a verifier: identical wrong answers (whitespace aside) vote together; no answer abstains', async () => {
  const c = await clusterAnswers(['1/3', ' 1/3 ', '0.33', null, ''], [false, false, false, false, false])
  assert.deepEqual(c.votes, [0, 0, 1, null, null])
  assert.deepEqual(c.answers, ['1/3', '0.33'])
  assert.deepEqual(c.correct, [false, false])
  assert.equal(c.checks, 0)
})

test('answers judged right against the reference form one cluster without any check', async () => {
  const c = await clusterAnswers(['7', '0.5', '1/2', '\\frac{1}{2}', '7'], [false, true, true, true, false], async () => { throw new Error('no check expected') })
  assert.deepEqual(c.votes, [0, 1, 1, 1, 0])
  assert.deepEqual(c.correct, [false, true])
  assert.equal(c.checks, 0)
})

test('clusters with the math verifier: equivalent forms merge; a cluster is as correct as its representative', async (t) => {
  const math = createMathVerifier({ threads: 1, deadlineMs: 2000 })
  t.after(async () => { await math.close() })
  const c = await clusterAnswers(['0.5', '\\frac{1}{2}', '2', '1/2', 'x = 2', '3'], [true, true, false, true, false, false], mathEquivalence(math))
  assert.deepEqual(c.votes, [0, 0, 1, 0, 1, 2])
  assert.deepEqual(c.correct, [true, false, false])
  assert.deepEqual(c.answers, ['0.5', '2', '3'])
})

const result = (score: number, details: Record<string, unknown>): ScoredGroup['results'][number] =>
  ({ reward: score, status: 'ok', components: { accuracy: { score, status: 'ok', details } } })

test('code votes by identical per-test verdicts; unjudged samples are left out of n', async () => {
  // the scorer's shape (details.verdicts); the older tests[].verdict shape is read too
  const tests = (...v: string[]): Record<string, unknown> => v[0] === 'runtime_error' ? { tests: v.map(verdict => ({ verdict })) } : { extraction: 'fenced', passed: 0, total: v.length, verdicts: v }
  const group: ScoredGroup = {
    id: 'c1',
    reference: { type: 'code' },
    results: [
      result(0, tests('passed', 'wrong_answer')),
      result(0, tests('passed', 'wrong_answer')),
      result(1, tests('passed', 'passed')),
      result(0, tests('runtime_error', 'runtime_error')),
      { reward: null, status: 'timeout', components: { accuracy: { score: null, status: 'timeout' } } }
    ]
  }
  const t = await evaluateProblem(group, [1, 4])
  assert.equal(t.metrics.judged, 4)
  assert.equal(t.metrics.correct, 1)
  assert.equal(t.metrics.clusters, 3)
  assert.equal(t.metrics.maj_at_k['4'], 0) // the two identical wrong programs outvote the right one
  assert.equal(t.metrics.majority_answer, 'passed,wrong_answer')
  assert.equal(t.metrics.pass_at_k['1'], 0.25)
  assert.equal(t.nullRewards, 1)
})
