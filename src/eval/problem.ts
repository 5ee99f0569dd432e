/**
 * Metrics of one problem (one scored group): pass@1, pass@k, maj@k, format rate, length, reward.
 * n is the number of judged samples (accuracy status ok); unjudged samples are neither right nor wrong.
 */
import type { ScoredGroup, ProblemMetrics } from './schema.ts'
import { passAtK, defaultKs } from './pass-at-k.ts'
import { majAtK } from './majority.ts'
import { clusterAnswers, type EquivalenceCheck } from './clusters.ts'
import { sampleVerdict } from './votes.ts'
import { approxTokens } from '../rewards/extras/length.ts'

export interface ProblemTally {
  metrics: ProblemMetrics
  /** Non-null rewards of the samples, for the histogram and the overall mean. */
  rewards: number[]
  nullRewards: number
  formatJudged: number
  formatOk: number
  lengthSum: number
  lengthCount: number
}

/** ks: the k values to compute; null computes the defaults for this problem's n (see defaultKs). */
export async function evaluateProblem (group: ScoredGroup, ks: readonly number[] | null, equivalent?: EquivalenceCheck): Promise<ProblemTally> {
  const refType = group.reference?.type
  const answers: Array<string | null> = []
  const correctness: boolean[] = []
  const rewards: number[] = []
  let nullRewards = 0
  let formatJudged = 0
  let formatOk = 0
  let lengthSum = 0
  let lengthCount = 0
  group.results.forEach((r, i) => {
    const v = sampleVerdict(r, refType)
    if (v.correct !== null) { answers.push(v.vote); correctness.push(v.correct) }
    if (r.reward === null) nullRewards++
    else rewards.push(r.reward)
    const f = r.components.format
    if (f !== undefined && f.status === 'ok' && f.score !== null) { formatJudged++; if (f.score >= 1) formatOk++ }
    const completion = group.completions?.[i]
    const len = group.length_tokens?.[i] ?? (completion === undefined ? undefined : approxTokens(completion))
    if (len !== undefined) { lengthSum += len; lengthCount++ }
  })
  const n = correctness.length
  const c = correctness.filter(Boolean).length
  const clusters = await clusterAnswers(answers, correctness, refType === 'code' ? undefined : equivalent)
  const passByK: Record<string, number | null> = {}
  const majByK: Record<string, number | null> = {}
  for (const k of ks ?? defaultKs(n)) {
    passByK[k] = k <= n ? passAtK(n, c, k) : null
    majByK[k] = majAtK(clusters.votes, clusters.correct, k, group.id)
  }
  const metrics: ProblemMetrics = {
    id: group.id,
    category: group.category ?? null,
    samples: group.results.length,
    judged: n,
    correct: c,
    pass_at_1: n === 0 ? null : c / n,
    pass_at_k: passByK,
    maj_at_k: majByK,
    majority_answer: winner(clusters.votes, clusters.answers),
    clusters: clusters.answers.length,
    format_rate: formatJudged === 0 ? null : formatOk / formatJudged,
    mean_length_tokens: lengthCount === 0 ? null : lengthSum / lengthCount,
    mean_reward: rewards.length === 0 ? null : rewards.reduce((a, b) => a + b, 0) / rewards.length
  }
  return { metrics, rewards, nullRewards, formatJudged, formatOk, lengthSum, lengthCount }
}

/** The representative answer with the most votes; the earliest-formed cluster on a tie. */
function winner (votes: ReadonlyArray<number | null>, answers: readonly string[]): string | null {
  const counts = answers.map(() => 0)
  for (const v of votes) if (v !== null) counts[v] = (counts[v] ?? 0) + 1
  let best = -1
  let bestCount = 0
  counts.forEach((n, i) => { if (n > bestCount) { best = i; bestCount = n } })
  return best < 0 ? null : answers[best] ?? null
}
