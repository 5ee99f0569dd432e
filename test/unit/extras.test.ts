import { test } from 'node:test'
import assert from 'node:assert/strict'
import { reasoningStepsReward } from '../../src/rewards/extras/reasoning-steps.ts'
import { repetitionReward } from '../../src/rewards/extras/repetition.ts'
import { cosineReward } from '../../src/rewards/extras/cosine.ts'
import { overlongReward } from '../../src/rewards/extras/overlong.ts'
import { groupLengthRewards } from '../../src/rewards/extras/group-length.ts'
import { approxTokens } from '../../src/rewards/extras/length.ts'

const near = (a: number | null, b: number): void => { assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${String(a)} vs ${b}`) }

test('reasoning steps: min(1, steps / 3)', () => {
  near(reasoningStepsReward('Step 1: a\nStep 2: b\nStep 3: c', 3).score, 1)
  near(reasoningStepsReward('First, x. Finally, y.', 3).score, 2 / 3)
  near(reasoningStepsReward('just an answer', 3).score, 0)
  near(reasoningStepsReward('1. a\n2. b\n3. c\n4. d', 3).score, 1)
})

test('repetition: (1 - distinct/total) * max_penalty over word 3-grams', () => {
  // "a b c a b c": 3-grams abc, bca, cab, abc → 4 total, 3 distinct → (1 - 3/4) * -1 = -0.25
  near(repetitionReward('a b c a b c', 3, -1).score, -0.25)
  near(repetitionReward('all words differ here', 3, -1).score, 0)
  near(repetitionReward('two words', 3, -1).score, 0)
  near(repetitionReward('x x x x x', 3, -2).score, (1 - 1 / 3) * -2)
})

test('cosine: short right answers earn most, long wrong ones are punished least', () => {
  const o = { max_len: 1000, min_value_wrong: -1, max_value_wrong: -0.5, min_value_correct: 0.5, max_value_correct: 1 }
  near(cosineReward(true, 0, o).score, 1)
  near(cosineReward(true, 1000, o).score, 0.5)
  near(cosineReward(true, 500, o).score, 0.75)
  near(cosineReward(false, 0, o).score, -1)
  near(cosineReward(false, 1000, o).score, -0.5)
  near(cosineReward(true, 5000, o).score, 0.5) // capped, unlike open-r1
  assert.equal(cosineReward(null, 10, o).score, null)
})

test('overlong (DAPO): 0, linear ramp over the buffer, then -1', () => {
  near(overlongReward(3000, 4096, 512).score, 0)
  near(overlongReward(3584, 4096, 512).score, 0)
  near(overlongReward(3840, 4096, 512).score, -0.5)
  near(overlongReward(4096, 4096, 512).score, -1)
  near(overlongReward(5000, 4096, 512).score, -1)
})

test('Kimi length reward over a group', () => {
  const r = groupLengthRewards([100, 200, 300, 300], [true, true, false, null])
  near(r[0]?.score ?? null, 0.5)
  near(r[1]?.score ?? null, 0)
  near(r[2]?.score ?? null, -0.5)
  assert.equal(r[3]?.score, null)
  const same = groupLengthRewards([5, 5], [true, false])
  near(same[0]?.score ?? null, 0)
  near(same[1]?.score ?? null, 0)
})

test('approximate tokens: ceil(UTF-8 bytes / 4)', () => {
  assert.equal(approxTokens(''), 0)
  assert.equal(approxTokens('abcde'), 2)
  assert.equal(approxTokens('日本'), 2) // 6 bytes
})
