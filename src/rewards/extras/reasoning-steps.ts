/**
 * Reasoning-steps reward (open-r1 `reasoning_steps_reward`): min(1, steps / min_steps), where a step is a
 * match of `Step N:`, a numbered line `N.`, a bullet line (`-` or `*`), or First, / Second, / Next, / Finally,.
 */
import type { ComponentResult } from '../types.ts'

const stepPattern = /Step \d+:|^\d+\.|\n-|\n\*|First,|Second,|Next,|Finally,/gm

export function reasoningStepsReward (completion: string, minSteps: number): ComponentResult {
  const steps = completion.match(stepPattern)?.length ?? 0
  return { score: Math.min(1, steps / minSteps), status: 'ok', details: { steps } }
}
