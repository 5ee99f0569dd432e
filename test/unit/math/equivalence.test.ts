import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { checkMathSync } from '../../../src/rewards/math/index.ts'

interface Case { gold: string, prediction: string, equivalent: boolean, note?: string, rounding?: 'off' | 'gold_precision' }

const file = new URL('../../fixtures/math/equivalence.jsonl', import.meta.url)
const cases: Case[] = readFileSync(file, 'utf8').trim().split('\n').map(l => JSON.parse(l) as Case)

for (const c of cases) {
  test(`${c.gold} vs ${c.prediction}${c.rounding === undefined ? '' : ` (rounding ${c.rounding})`} → ${String(c.equivalent)}`, () => {
    const r = checkMathSync({ gold: c.gold, prediction: c.prediction, extract: false, ...(c.rounding === undefined ? {} : { rounding: c.rounding }) })
    assert.equal(r.status, 'ok', r.reason)
    assert.equal(r.equivalent, c.equivalent, `rule ${String(r.rule)}; parsed ${String(r.gold.parsed)} | ${String(r.prediction.parsed)}`)
  })
}

test('exactness: huge integers and tiny fractions are compared exactly', () => {
  const r = checkMathSync({ gold: '2^{200}+1', prediction: '2^{200}', extract: false })
  assert.equal(r.equivalent, false)
  assert.equal(r.rule, 'exact_rational')
})

test('an unparsable gold is unscorable, an unparsable prediction is wrong', () => {
  const g = checkMathSync({ gold: '\\frac{1}{', prediction: '1', extract: false })
  assert.equal(g.status, 'unscorable')
  assert.equal(g.equivalent, null)
  const p = checkMathSync({ gold: '1', prediction: '\\frac{1}{', extract: false })
  assert.equal(p.status, 'ok')
  assert.equal(p.equivalent, false)
})

test('the same inputs give the same result (random points are seeded from the inputs)', () => {
  const input = { gold: '\\frac{\\sin x}{\\cos x}', prediction: '\\tan x', extract: false }
  const a = checkMathSync(input)
  const b = checkMathSync(input)
  assert.equal(a.equivalent, true)
  assert.equal(a.rule, 'numeric_points')
  assert.deepEqual({ ...a, elapsed_ms: 0 }, { ...b, elapsed_ms: 0 })
})

test('hostile expressions are refused quickly in-thread', () => {
  for (const hostile of ['9^{9^{9}}', '\\sum_{n=1}^{10^9} n', '10!!!!!!', '{'.repeat(10_000) + '1' + '}'.repeat(10_000), '1'.repeat(1 << 20)]) {
    const t0 = performance.now()
    const r = checkMathSync({ gold: '1', prediction: hostile, extract: false })
    // a prediction too large to check is wrong (0), never null: a null would shield it from a negative advantage
    assert.deepEqual([r.status, r.equivalent, r.rule], ['ok', false, 'too_large'], hostile.slice(0, 40))
    assert.ok(performance.now() - t0 < 200)
    const g = checkMathSync({ gold: hostile, prediction: '1', extract: false })
    assert.equal(g.status, 'unscorable')
  }
})
