import { test } from 'node:test'
import assert from 'node:assert/strict'
import { batchAdvantages, groupStats } from '../../src/grpo/advantages.ts'

const close = (a: number[] | undefined, b: number[], tol = 1e-9): void => {
  assert.ok(a !== undefined)
  assert.equal(a.length, b.length)
  a.forEach((x, i) => assert.ok(Math.abs(x - (b[i] as number)) < tol, `${x} vs ${String(b[i])} at ${i}`))
}

test('group scale: (r - mean) / (sample std + 1e-4), by hand', () => {
  // rewards 2, 0, 1, 1: mean 1, sample variance (1+1+0+0)/3 = 2/3, std 0.816496580927726
  const { advantages, stats } = batchAdvantages([[2, 0, 1, 1]], 'group')
  const d = 0.816496580927726 + 1e-4
  close(advantages[0], [1 / d, -1 / d, 0, 0])
  assert.equal(stats[0]?.mean, 1)
  assert.ok(Math.abs((stats[0]?.std ?? 0) - 0.816496580927726) < 1e-12)
  assert.equal(stats[0]?.count, 4)
})

test('dr_grpo: r - mean; none: r', () => {
  close(batchAdvantages([[2, 0, 1]], 'dr_grpo').advantages[0], [1, -1, 0])
  close(batchAdvantages([[2, 0, 1]], 'none').advantages[0], [2, 0, 1])
})

test('batch scale: group mean, batch sample std', () => {
  // batch rewards 1, 0, 3, 1: mean 1.25, deviations -.25 -1.25 1.75 -.25, squares sum 4.75, var 4.75/3
  const std = Math.sqrt(4.75 / 3)
  const { advantages } = batchAdvantages([[1, 0], [3, 1]], 'batch')
  close(advantages[0], [0.5 / (std + 1e-4), -0.5 / (std + 1e-4)])
  close(advantages[1], [1 / (std + 1e-4), -1 / (std + 1e-4)])
})

test('nulls: left out of the statistics, advantage 0', () => {
  const { advantages, stats } = batchAdvantages([[1, null, 0]], 'group')
  const d = Math.SQRT1_2 + 1e-4 // std of (1, 0) = sqrt(0.5)
  close(advantages[0], [0.5 / d, 0, -0.5 / d])
  assert.deepEqual(stats[0], { mean: 0.5, std: Math.SQRT1_2, count: 2 })
})

test('fewer than 2 scored completions: all 0; equal rewards: all 0', () => {
  close(batchAdvantages([[1, null, null]], 'group').advantages[0], [0, 0, 0])
  close(batchAdvantages([[5]], 'none').advantages[0], [0])
  close(batchAdvantages([[1, 1, 1]], 'group').advantages[0], [0, 0, 0])
  assert.deepEqual(groupStats([null, null]), { mean: null, std: null, count: 0 })
  assert.deepEqual(groupStats([3]), { mean: 3, std: null, count: 1 })
})

test('4,096 groups of 16 do not share state between groups', () => {
  const groups = Array.from({ length: 4096 }, (_, g) => Array.from({ length: 16 }, (_, i) => (g + i) % 3))
  const { advantages } = batchAdvantages(groups, 'group')
  assert.equal(advantages.length, 4096)
  for (const a of advantages) assert.ok(Math.abs(a.reduce((s, x) => s + x, 0)) < 1e-9)
})
