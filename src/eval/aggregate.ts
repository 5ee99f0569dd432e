/**
 * Rolls problem tallies up into the eval reply: overall and per-category means, the reward histogram.
 * pass@1, pass@k and maj@k are means over problems (macro: each problem counts once; for pass@k / maj@k
 * only problems with at least k judged samples); format rate, length and mean reward are means over samples.
 */
import type { EvalReply, ProblemMetrics, KValue, CategoryMetrics, Histogram } from './schema.ts'
import type { ProblemTally } from './problem.ts'
import { defaultKs } from './pass-at-k.ts'

export class EvalAggregator {
  private readonly problems: ProblemMetrics[] = []
  private readonly rewardCounts = new Map<number, number>()
  private nullRewards = 0
  private samples = 0
  private formatJudged = 0
  private formatOk = 0
  private lengthSum = 0
  private lengthCount = 0
  private rewardSum = 0
  private rewardCount = 0

  add (t: ProblemTally): void {
    this.problems.push(t.metrics)
    this.samples += t.metrics.samples
    for (const r of t.rewards) { this.rewardCounts.set(r, (this.rewardCounts.get(r) ?? 0) + 1); this.rewardSum += r }
    this.rewardCount += t.rewards.length
    this.nullRewards += t.nullRewards
    this.formatJudged += t.formatJudged
    this.formatOk += t.formatOk
    this.lengthSum += t.lengthSum
    this.lengthCount += t.lengthCount
  }

  /** ks: the requested k values, or null for the defaults of the largest judged group. */
  finish (ks: readonly number[] | null, bins = 20): EvalReply {
    const finalKs = ks === null ? defaultKs(Math.max(0, ...this.problems.map(p => p.judged))) : [...new Set(ks)].sort((a, b) => a - b)
    const problems = this.problems.map(p => ({ ...p, pass_at_k: pick(p.pass_at_k, finalKs), maj_at_k: pick(p.maj_at_k, finalKs) }))
    const judged = problems.filter(p => p.judged > 0)
    const overall = {
      problems: problems.length,
      judged_problems: judged.length,
      samples: this.samples,
      judged_samples: judged.reduce((n, p) => n + p.judged, 0),
      pass_at_1: mean(judged.map(p => p.pass_at_1 ?? 0)),
      pass_at_k: byK(problems, finalKs, 'pass_at_k'),
      maj_at_k: byK(problems, finalKs, 'maj_at_k'),
      format_rate: this.formatJudged === 0 ? null : this.formatOk / this.formatJudged,
      mean_length_tokens: this.lengthCount === 0 ? null : this.lengthSum / this.lengthCount,
      mean_reward: this.rewardCount === 0 ? null : this.rewardSum / this.rewardCount
    }
    return { k: finalKs, overall, categories: categories(problems, finalKs), reward_histogram: this.histogram(bins), problems }
  }

  private histogram (bins: number): Histogram {
    const values = [...this.rewardCounts.keys()]
    if (values.length === 0) return { bins: [], null_count: this.nullRewards }
    let lo = Math.min(...values)
    let hi = Math.max(...values)
    if (lo === hi) { lo -= 0.5; hi += 0.5 }
    const width = (hi - lo) / bins
    const out = Array.from({ length: bins }, (_, i) => ({ lo: lo + i * width, hi: i === bins - 1 ? hi : lo + (i + 1) * width, count: 0 }))
    for (const [v, n] of this.rewardCounts) {
      const i = Math.min(bins - 1, Math.floor((v - lo) / width))
      const bin = out[i]
      if (bin !== undefined) bin.count += n
    }
    return { bins: out, null_count: this.nullRewards }
  }
}

function pick (rec: Record<string, number | null>, ks: readonly number[]): Record<string, number | null> {
  const out: Record<string, number | null> = {}
  for (const k of ks) out[k] = rec[k] ?? null
  return out
}

function mean (xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length
}

function byK (problems: ProblemMetrics[], ks: readonly number[], key: 'pass_at_k' | 'maj_at_k'): KValue[] {
  return ks.map(k => {
    const values = problems.map(p => p[key][k]).filter((v): v is number => typeof v === 'number')
    return { k, value: mean(values), problems: values.length }
  })
}

function categories (problems: ProblemMetrics[], ks: readonly number[]): CategoryMetrics[] {
  const groups = new Map<string, ProblemMetrics[]>()
  for (const p of problems) {
    const name = p.category ?? '(none)'
    const list = groups.get(name) ?? []
    list.push(p)
    groups.set(name, list)
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([category, list]) => {
    const judged = list.filter(p => p.judged > 0)
    return {
      category,
      problems: list.length,
      judged_problems: judged.length,
      accuracy: mean(judged.map(p => p.pass_at_1 ?? 0)),
      pass_at_k: byK(list, ks, 'pass_at_k'),
      maj_at_k: byK(list, ks, 'maj_at_k')
    }
  })
}
