/**
 * evaluate(groups): the whole eval over an in-memory list (POST /v1/eval), with problems evaluated a few at
 * a time so the math verifier pool stays busy. The CLI streams through EvalAggregator itself.
 */
import type { ScoredGroup, EvalReply } from './schema.ts'
import type { EquivalenceCheck } from './clusters.ts'
import { evaluateProblem, type ProblemTally } from './problem.ts'
import { EvalAggregator } from './aggregate.ts'

export interface EvalOptions {
  k?: number[]
  histogram_bins?: number
  equivalent?: EquivalenceCheck
  /** Problems evaluated at once (default 8). */
  concurrency?: number
}

export async function evaluate (groups: readonly ScoredGroup[], opts: EvalOptions = {}): Promise<EvalReply> {
  const ks = opts.k ?? null
  const tallies: ProblemTally[] = new Array(groups.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < groups.length) {
      const i = next++
      const g = groups[i]
      if (g !== undefined) tallies[i] = await evaluateProblem(g, ks, opts.equivalent)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, worker))
  const agg = new EvalAggregator()
  for (const t of tallies) agg.add(t)
  return agg.finish(ks, opts.histogram_bins)
}
