/**
 * Groups the answers of one problem into clusters of equivalent answers, for majority voting.
 *
 * 1. Answers identical after trimming and collapsing whitespace are one answer.
 * 2. Answers judged equivalent to the reference are all one cluster (each is equivalent to the reference, so
 *    to each other): no checks are needed, and a right answer never shares a cluster with a wrong one.
 * 3. Each further distinct wrong answer, in order of first appearance, is compared with the representatives
 *    (first answers) of the wrong clusters formed so far, at most MAX_COMPARISONS of them, and joins the first
 *    one it is judged equivalent to; otherwise it starts a new cluster. Equivalence need not be transitive,
 *    so this greedy "join the earliest matching representative" rule is the definition.
 */
import type { MathVerifier } from '../rewards/math/api.ts'

/** For a candidate and the representatives so far, whether the candidate is equivalent to each. */
export type EquivalenceCheck = (candidate: string, representatives: string[]) => Promise<boolean[]>

export interface Clusters {
  /** votes[i]: cluster of sample i, null when it abstains (no answer). */
  votes: Array<number | null>
  /** correct[c]: verdict of cluster c's representative. */
  correct: boolean[]
  /** Representative answer of each cluster. */
  answers: string[]
  /** Number of equivalence checks made. */
  checks: number
}

const normalise = (s: string): string => s.trim().replace(/\s+/g, ' ')

/** A new wrong answer is compared with at most this many earlier clusters (bounds the checks per problem). */
export const MAX_COMPARISONS = 64

export async function clusterAnswers (answers: ReadonlyArray<string | null>, sampleCorrect: readonly boolean[], equivalent?: EquivalenceCheck): Promise<Clusters> {
  const byText = new Map<string, number>()
  const out: Clusters = { votes: [], correct: [], answers: [], checks: 0 }
  let rightCluster: number | undefined
  const wrong: number[] = [] // indices of the wrong clusters, in creation order
  const open = (text: string, correct: boolean): number => {
    out.answers.push(text)
    out.correct.push(correct)
    return out.answers.length - 1
  }
  for (let i = 0; i < answers.length; i++) {
    const raw = answers[i]
    if (raw === null || raw === undefined || normalise(raw) === '') { out.votes.push(null); continue }
    const text = normalise(raw)
    let cluster = byText.get(text)
    if (cluster === undefined) {
      if (sampleCorrect[i] === true) {
        rightCluster ??= open(text, true)
        cluster = rightCluster
      } else {
        if (equivalent !== undefined && wrong.length > 0) {
          const candidates = wrong.slice(0, MAX_COMPARISONS)
          const verdicts = await equivalent(text, candidates.map(c => out.answers[c] ?? ''))
          out.checks += candidates.length
          const j = verdicts.indexOf(true)
          if (j >= 0) cluster = candidates[j]
        }
        if (cluster === undefined) {
          cluster = open(text, false)
          wrong.push(cluster)
        }
      }
      byText.set(text, cluster)
    }
    out.votes.push(cluster)
  }
  return out
}

/** Equivalence by the math verifier: the representative is the gold side, the candidate the prediction. */
export function mathEquivalence (math: MathVerifier, signal?: AbortSignal): EquivalenceCheck {
  return async (candidate, representatives) => {
    const checks = await math.checkMany(representatives.map(gold => ({ gold, prediction: candidate, extract: false })), { signal })
    return checks.map(c => c.status === 'ok' && c.equivalent === true)
  }
}
