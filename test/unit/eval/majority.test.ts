import { test } from 'node:test'
import assert from 'node:assert/strict'
import { majorityScore, majAtK, forEachSubset, MAX_SUBSETS } from '../../../src/eval/majority.ts'
import { binomial } from '../../../src/eval/sample.ts'

const close = (a: number | null, b: number, tol = 1e-12): void => assert.ok(a !== null && Math.abs(a - b) <= tol, `${String(a)} vs ${b}`)

test('majority of all samples: the most-voted cluster decides', () => {
  assert.equal(majorityScore([0, 0, 1], [true, false]), 1)
  assert.equal(majorityScore([0, 1, 1, null], [true, false]), 0)
  assert.equal(majorityScore([0, 1, 1, null], [false, true]), 1)
})

test('ties split the credit: the share of tied clusters that are right', () => {
  assert.equal(majorityScore([0, 1], [true, false]), 0.5)
  close(majorityScore([0, 1, 2, 2, 1, 0], [true, false, false]), 1 / 3)
  assert.equal(majorityScore([0, 1, 2], [true, true, false]), 2 / 3)
})

test('nobody voted: 0 (abstentions never win)', () => {
  assert.equal(majorityScore([null, null], []), 0)
  assert.equal(majorityScore([null, null, 0], [false]), 0)
  assert.equal(majorityScore([null, null, 0], [true]), 1)
})

test('maj@k for k < n is the mean over every k-subset when there are few (hand-computed)', () => {
  // votes 0,0,1 with cluster 0 right. k=1: {0}→1 {1}→1 {2}→0 ⇒ 2/3. k=2: {0,1}→1 {0,2}→½ {1,2}→½ ⇒ 2/3.
  close(majAtK([0, 0, 1], [true, false], 1, 'p'), 2 / 3)
  close(majAtK([0, 0, 1], [true, false], 2, 'p'), 2 / 3)
  assert.equal(majAtK([0, 0, 1], [true, false], 3, 'p'), 1)
  assert.equal(majAtK([0, 0, 1], [true, false], 4, 'p'), null)
  // an abstaining sample: k=1 over {0},{null},{1}: 1, 0, 0
  close(majAtK([0, null, 1], [true, false], 1, 'p'), 1 / 3)
})

test('maj@1 equals the share of right voters', () => {
  const votes = [0, 1, 2, 0, 0, 1, null, 2]
  const correct = [true, false, false]
  close(majAtK(votes, correct, 1, 'x'), 3 / 8)
})

test('maj@k past the enumeration limit: seeded subsampling, repeatable and near the exact value', () => {
  // 20 right votes, 10 wrong, k=15 (odd: no ties). Exact: P(X ≥ 8), X ~ Hypergeometric(30, 20, 15).
  const votes = [...Array(20).fill(0), ...Array(10).fill(1)] as number[]
  const correct = [true, false]
  assert.ok(binomial(30, 15) > MAX_SUBSETS)
  let exact = 0
  for (let x = 8; x <= 15; x++) exact += binomial(20, x) * binomial(10, 15 - x) / binomial(30, 15)
  const a = majAtK(votes, correct, 15, 'problem-7')
  assert.equal(a, majAtK(votes, correct, 15, 'problem-7'))
  assert.ok(a !== null && Math.abs(a - exact) < 0.05, `${String(a)} vs exact ${exact}`)
})

test('forEachSubset enumerates C(n, k) distinct subsets', () => {
  const seen = new Set<string>()
  forEachSubset(6, 3, pick => seen.add(pick.join(',')))
  assert.equal(seen.size, 20)
  assert.ok(seen.has('0,1,2') && seen.has('3,4,5'))
})
