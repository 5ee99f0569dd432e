/**
 * Cosine length scaling (open-r1 `get_cosine_scaled_reward`, from Demystifying Long CoT):
 * p = min(1, L / max_len), c = cos(p·π); correct: lo = min_value_correct, hi = max_value_correct;
 * wrong: lo = max_value_wrong, hi = min_value_wrong; score = lo + ½(hi − lo)(1 + c).
 * Short right answers earn most, long wrong answers are punished least. Unlike open-r1, p is capped at 1,
 * so a completion past max_len is never scored as if it were short. Null when correctness is unknown.
 */
import type { ComponentResult } from '../types.ts'

export interface CosineOptions {
  max_len: number
  min_value_wrong: number
  max_value_wrong: number
  min_value_correct: number
  max_value_correct: number
}

export function cosineReward (correct: boolean | null, length: number, o: CosineOptions): ComponentResult {
  if (correct === null) return { score: null, status: 'unscorable', reason: 'accuracy unknown' }
  const progress = Math.min(1, length / o.max_len)
  const c = Math.cos(progress * Math.PI)
  const [lo, hi] = correct ? [o.min_value_correct, o.max_value_correct] : [o.max_value_wrong, o.min_value_wrong]
  return { score: lo + 0.5 * (hi - lo) * (1 + c), status: 'ok', details: { length } }
}
