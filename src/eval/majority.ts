/**
 * maj@k: majority voting over k samples. Each sample votes for a cluster (answers judged equivalent share
 * one, see clusters.ts) or abstains (no answer extracted). The winning cluster is the one with the most
 * votes; the sample set scores 1 when the winner is correct, 0 when it is not or when nobody voted.
 *
 * Ties: every cluster tied for the most votes is equally likely to win, so a tie scores the share of tied
 * clusters that are correct (the expected value of a uniformly random tie-break). Deterministic and
 * independent of sample order.
 *
 * k < n: the expected maj@k over k-subsets of the n samples. When C(n, k) ≤ MAX_SUBSETS every subset is
 * enumerated (exact); otherwise MAX_SUBSETS subsets are drawn without replacement by a PRNG seeded from the
 * problem id and k (repeatable run to run). Clusters are formed once over all n samples.
 */
import { seedFrom } from '../lib/hash.ts'
import { mulberry32, binomial } from './sample.ts'

export const MAX_SUBSETS = 256

/** votes[i]: the cluster index of sample i, or null (abstains). correct[c]: whether cluster c is correct. */
export function majorityScore (votes: ReadonlyArray<number | null>, correct: readonly boolean[], pick?: readonly number[]): number {
  const counts = new Map<number, number>()
  let best = 0
  const idx = pick ?? votes.map((_, i) => i)
  for (const i of idx) {
    const v = votes[i]
    if (v === null || v === undefined) continue
    const n = (counts.get(v) ?? 0) + 1
    counts.set(v, n)
    if (n > best) best = n
  }
  if (best === 0) return 0
  let tied = 0
  let right = 0
  for (const [cluster, n] of counts) {
    if (n !== best) continue
    tied++
    if (correct[cluster] === true) right++
  }
  return right / tied
}

/** maj@k for one problem (null when k > n). */
export function majAtK (votes: ReadonlyArray<number | null>, correct: readonly boolean[], k: number, seedKey: string): number | null {
  const n = votes.length
  if (k < 1 || k > n) return null
  if (k === n) return majorityScore(votes, correct)
  if (binomial(n, k) <= MAX_SUBSETS) {
    let sum = 0
    let count = 0
    forEachSubset(n, k, pick => { sum += majorityScore(votes, correct, pick); count++ })
    return sum / count
  }
  const rand = mulberry32(seedFrom(seedKey, String(k)))
  const perm = votes.map((_, i) => i)
  let sum = 0
  for (let s = 0; s < MAX_SUBSETS; s++) {
    // partial Fisher–Yates: the first k entries become a uniform k-subset
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rand() * (n - i))
      const t = perm[i] as number
      perm[i] = perm[j] as number
      perm[j] = t
    }
    sum += majorityScore(votes, correct, perm.slice(0, k))
  }
  return sum / MAX_SUBSETS
}

/** Calls fn with every k-subset of 0..n-1 in lexicographic order. */
export function forEachSubset (n: number, k: number, fn: (pick: number[]) => void): void {
  const pick = Array.from({ length: k }, (_, i) => i)
  for (;;) {
    fn(pick)
    let i = k - 1
    while (i >= 0 && pick[i] === n - k + i) i--
    if (i < 0) return
    pick[i] = (pick[i] as number) + 1
    for (let j = i + 1; j < k; j++) pick[j] = (pick[j - 1] as number) + 1
  }
}
