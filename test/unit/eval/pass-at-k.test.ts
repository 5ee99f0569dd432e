import { test } from 'node:test'
import assert from 'node:assert/strict'
import { passAtK, defaultKs } from '../../../src/eval/pass-at-k.ts'

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`)

test('pass@k against hand-computed values (n=5, c=2)', () => {
  close(passAtK(5, 2, 1), 1 - 3 / 5) // 1 − C(3,1)/C(5,1)
  close(passAtK(5, 2, 2), 1 - 3 / 10) // 1 − C(3,2)/C(5,2)
  close(passAtK(5, 2, 3), 1 - 1 / 10) // 1 − C(3,3)/C(5,3)
  assert.equal(passAtK(5, 2, 4), 1) // fewer than k wrong samples: some k-subset always holds a right one
  assert.equal(passAtK(5, 2, 5), 1)
})

test('pass@k edge cases: none right, all right, pass@1 = c/n', () => {
  assert.equal(passAtK(10, 0, 5), 0)
  assert.equal(passAtK(4, 4, 1), 1)
  for (const [n, c] of [[16, 3], [64, 17], [7, 0], [9, 9]] as const) close(passAtK(n, c, 1), c / n)
})

test('pass@k stays accurate where binomials overflow (n=2000, c=10, k=1000)', () => {
  // C(n−c,k)/C(n,k) = ∏_{i=0}^{c−1} (n−k−i)/(n−i), an independent formula
  let ratio = 1
  for (let i = 0; i < 10; i++) ratio *= (1000 - i) / (2000 - i)
  close(passAtK(2000, 10, 1000), 1 - ratio, 1e-12)
  assert.ok(Number.isFinite(passAtK(2000, 1000, 500)))
})

test('pass@k rejects k outside 1..n and c outside 0..n', () => {
  assert.throws(() => passAtK(4, 1, 5), RangeError)
  assert.throws(() => passAtK(4, 1, 0), RangeError)
  assert.throws(() => passAtK(4, 5, 1), RangeError)
  assert.throws(() => passAtK(4, 1.5, 1), RangeError)
})

test('default k values: powers of two up to n, and n', () => {
  assert.deepEqual(defaultKs(64), [1, 2, 4, 8, 16, 32, 64])
  assert.deepEqual(defaultKs(10), [1, 2, 4, 8, 10])
  assert.deepEqual(defaultKs(1), [1])
  assert.deepEqual(defaultKs(0), [])
})
