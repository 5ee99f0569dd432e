/**
 * N-gram repetition penalty (open-r1 `get_repetition_penalty_reward`, from Demystifying Long CoT):
 * words = lower-cased whitespace split; with T = words − n + 1 n-grams of which U are distinct,
 * score = (1 − U / T) · max_penalty (max_penalty ≤ 0); fewer than n words score 0.
 */
import type { ComponentResult } from '../types.ts'

export function repetitionReward (completion: string, ngram: number, maxPenalty: number): ComponentResult {
  const words = completion.toLowerCase().split(/\s+/).filter(w => w !== '')
  if (words.length < ngram) return { score: 0, status: 'ok', details: { ngrams: 0, distinct: 0 } }
  const seen = new Set<string>()
  const total = words.length - ngram + 1
  for (let i = 0; i < total; i++) seen.add(words.slice(i, i + ngram).join('\u0001'))
  const score = (1 - seen.size / total) * maxPenalty
  return { score: score === 0 ? 0 : score, status: 'ok', details: { ngrams: total, distinct: seen.size } }
}
