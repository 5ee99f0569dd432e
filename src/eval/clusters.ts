/**
 * Groups the answers of one problem into clusters of equivalent answers, for majority voting.
 *
 * Answers are first merged when identical after trimming and collapsing whitespace. Each further distinct
 * answer, in order of first appearance, is compared with the representative (first answer) of every cluster
 * formed so far and joins the first cluster it is judged equivalent to; otherwise it starts a new cluster.
 * Equivalence need not be transitive, so this greedy "join the earliest matching representative" rule is the
 * definition. A cluster's correctness is its representative sample's accuracy verdict.
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

export async function clusterAnswers (answers: ReadonlyArray<string | null>, sampleCorrect: readonly boolean[], equivalent?: EquivalenceCheck): Promise<Clusters> {
  const byText = new Map<string, number>()
  const out: Clusters = { votes: [], correct: [], answers: [], checks: 0 }
  for (let i = 0; i < answers.length; i++) {
    const raw = answers[i]
    if (raw === null || raw === undefined || normalise(raw) === '') { out.votes.push(null); continue }
    const text = normalise(raw)
    let cluster = byText.get(text)
    if (cluster === undefined) {
      if (equivalent !== undefined && out.answers.length > 0) {
        const verdicts = await equivalent(text, out.answers)
        out.checks += out.answers.length
        const j = verdicts.indexOf(true)
        if (j >= 0) cluster = j
      }
      if (cluster === undefined) {
        cluster = out.answers.length
        out.answers.push(text)
        out.correct.push(sampleCorrect[i] === true)
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
