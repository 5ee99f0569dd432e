/** The adversarial corpus (test/fixtures/math/adversarial.jsonl): completions written to collect reward, and honest ones beside them. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { checkMathSync } from '../../../src/rewards/math/index.ts'

interface Case { id: string, class: string, gold: string, prediction: string, expected: boolean, why: string, rounding?: 'off' | 'gold_precision' }

const file = new URL('../../fixtures/math/adversarial.jsonl', import.meta.url)
const cases: Case[] = readFileSync(file, 'utf8').trim().split('\n').map(l => JSON.parse(l) as Case)

test('the adversarial corpus has at least 150 cases, each with a class and a why', () => {
  assert.ok(cases.length >= 150, `${cases.length} cases`)
  for (const c of cases) assert.ok(c.why.length > 0 && c.class.length > 0, c.id)
  assert.equal(new Set(cases.map(c => c.id)).size, cases.length)
})

for (const c of cases) {
  test(`${c.id} [${c.class}] ${c.why} → ${String(c.expected)}`, () => {
    const r = checkMathSync({ gold: c.gold, prediction: c.prediction, extract: true, ...(c.rounding === undefined ? {} : { rounding: c.rounding }) })
    assert.equal(r.status, 'ok', r.reason)
    assert.equal(r.equivalent, c.expected, `rule ${String(r.rule)}; extracted ${String(r.prediction.extracted)}; ${r.reason ?? ''}`)
  })
}

test('a hedge names the distinct values it found; a repeated value is one value', () => {
  const r = checkMathSync({ gold: '8', prediction: 'it is \\boxed{7}, or maybe \\boxed{8}, \\boxed{8}', extract: true })
  assert.equal(r.rule, 'hedge')
  assert.deepEqual(r.details?.candidates, ['7', '8'])
  const same = checkMathSync({ gold: '8', prediction: '\\boxed{8} and again \\boxed{8.0}', extract: true })
  assert.equal(same.equivalent, true)
})

test('a prediction that cannot be decided is 0 with a rule; only a gold that cannot be evaluated is unscorable', () => {
  const p = checkMathSync({ gold: '1', prediction: '\\boxed{9^{9^{9}}}', extract: true })
  assert.deepEqual([p.status, p.equivalent, p.rule], ['ok', false, 'too_large'])
  const g = checkMathSync({ gold: '9^{9^{9}}', prediction: '\\boxed{1}', extract: true })
  assert.deepEqual([g.status, g.equivalent], ['unscorable', null])
})
