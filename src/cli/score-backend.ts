/** Opens the backend `score` uses: the scoring resources (math pool, language, code sandboxes) in-process, or a service URL. */
import type { ScoreBatch } from './backends.ts'
import { inProcessBackend, httpBackend } from './backends.ts'
import type { RewardsOptions, AdvantageOptions } from '../scoring/schema.ts'
import type { Config } from '../config/schema.ts'

export interface OpenBackend {
  score: ScoreBatch
  /** The config hash known before scoring (in-process), else null (the service's reply tells). */
  configHash: string | null
  close: () => Promise<void>
}

interface BackendOptions { url?: string, config?: Config, threads: number, textThreads: number, rewards?: RewardsOptions, advantages?: AdvantageOptions }

export async function openBackend (opts: BackendOptions, say: (msg: string) => void): Promise<OpenBackend> {
  if (opts.url !== undefined || opts.config === undefined) {
    if (opts.url === undefined) throw new Error('in-process scoring needs a configuration')
    return { score: httpBackend({ url: opts.url, rewards: opts.rewards, advantages: opts.advantages, onRetry: say }), configHash: null, close: async () => {} }
  }
  const { createMathVerifier } = await import('../rewards/math/index.ts')
  const { createScoringResources } = await import('../scoring/resources.ts')
  const { resolveOptions, configHash } = await import('../scoring/options.ts')
  const effective = resolveOptions(opts.rewards, opts.advantages)
  const math = createMathVerifier({ threads: opts.threads, deadlineMs: opts.config.MATH_DEADLINE_MS })
  // language workers only when the language reward is on (otherwise they would idle beside the math pool)
  const resources = createScoringResources(opts.config, { math, mathThreads: opts.threads, textThreads: effective.rewards.language === undefined ? 0 : opts.textThreads })
  await math.ready() // workers start before the clock does: the run's rate is scoring, not start-up
  return {
    score: inProcessBackend(resources.scorer, opts.rewards, opts.advantages),
    configHash: configHash(effective),
    close: async () => { await Promise.all([resources.close(), math.close()]) }
  }
}
