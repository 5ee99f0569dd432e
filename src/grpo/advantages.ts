/**
 * GRPO advantages, null-aware. eps = 1e-4 as in TRL. With r a completion's reward and the group's
 * non-null rewards for mean and (sample, n−1) std:
 *   group   : (r − mean) / (std_group + eps)      GRPO, DeepSeekMath / R1
 *   dr_grpo : r − mean                            Dr. GRPO (no std scaling)
 *   batch   : (r − mean) / (std_batch + eps)      std over every non-null reward of the request
 *   none    : r
 * A null reward gets advantage 0 and is left out of every statistic; a group with fewer than 2 non-null
 * rewards gets 0 throughout (no baseline to compare against).
 */
export type AdvantageScale = 'group' | 'dr_grpo' | 'batch' | 'none'

export interface GroupStats {
  mean: number | null
  std: number | null
  count: number
}

export const DEFAULT_EPS = 1e-4

export function groupStats (rewards: Array<number | null>): GroupStats {
  let n = 0
  let sum = 0
  for (const r of rewards) if (r !== null) { n++; sum += r }
  if (n === 0) return { mean: null, std: null, count: 0 }
  const mean = sum / n
  if (n < 2) return { mean, std: null, count: n }
  let sq = 0
  for (const r of rewards) if (r !== null) sq += (r - mean) * (r - mean)
  return { mean, std: Math.sqrt(sq / (n - 1)), count: n }
}

/** Advantages of every group of a batch; `groups[g][i]` is the reward of completion i of group g. */
export function batchAdvantages (groups: Array<Array<number | null>>, scale: AdvantageScale, eps = DEFAULT_EPS): {
  advantages: number[][]
  stats: GroupStats[]
} {
  const stats = groups.map(groupStats)
  const batchStd = scale === 'batch' ? groupStats(groups.flat()).std ?? 0 : 0
  const advantages: number[][] = new Array(groups.length)
  for (let g = 0; g < groups.length; g++) {
    const rewards = groups[g] as Array<number | null>
    const s = stats[g] as GroupStats
    const out: number[] = new Array(rewards.length).fill(0)
    advantages[g] = out
    if (s.count < 2 || s.mean === null) continue
    const mean = s.mean
    // (r - mean) * k + r * c covers every scale: group/batch divide, dr_grpo subtracts, none keeps r.
    const k = scale === 'group' ? 1 / ((s.std ?? 0) + eps) : scale === 'batch' ? 1 / (batchStd + eps) : scale === 'dr_grpo' ? 1 : 0
    const c = scale === 'none' ? 1 : 0
    for (let i = 0; i < rewards.length; i++) {
      const r = rewards[i]
      if (r !== null && r !== undefined) out[i] = (r - mean) * k + r * c
    }
  }
  return { advantages, stats }
}
