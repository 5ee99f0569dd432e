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
  const advantages = groups.map((rewards, g) => {
    const s = stats[g] as GroupStats
    if (s.count < 2 || s.mean === null) return rewards.map(() => 0)
    const mean = s.mean
    const std = s.std ?? 0
    return rewards.map(r => {
      if (r === null) return 0
      switch (scale) {
        case 'group': return (r - mean) / (std + eps)
        case 'dr_grpo': return r - mean
        case 'batch': return (r - mean) / (batchStd + eps)
        case 'none': return r
      }
      return 0
    })
  })
  return { advantages, stats }
}
