/**
 * Length reward of Kimi 1.5 (open-r1 `len_reward`), computed over a group: with the group's shortest and
 * longest lengths, λ = 0.5 − (L − min) / (max − min); a right answer scores λ, a wrong one min(0, λ);
 * all 0 when every length is equal. Completions whose correctness is unknown score null and are left out
 * of min and max.
 */
import type { ComponentResult } from '../types.ts'

export function groupLengthRewards (lengths: number[], correct: Array<boolean | null>): ComponentResult[] {
  const known = lengths.filter((_, i) => correct[i] !== null && correct[i] !== undefined)
  const min = Math.min(...known)
  const max = Math.max(...known)
  return lengths.map((length, i) => {
    const ok = correct[i]
    if (ok === null || ok === undefined) return { score: null, status: 'unscorable', reason: 'accuracy unknown' }
    if (max === min) return { score: 0, status: 'ok', details: { length } }
    const lambda = 0.5 - (length - min) / (max - min)
    return { score: ok ? lambda : Math.min(0, lambda), status: 'ok', details: { length } }
  })
}
