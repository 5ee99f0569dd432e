/** Opens the backend `score` uses: a math worker pool and scorer in-process, or a service URL. */
import type { ScoreBatch } from './backends.ts'
import { inProcessBackend, httpBackend } from './backends.ts'
import type { RewardsOptions, AdvantageOptions } from '../scoring/schema.ts'

export interface OpenBackend {
  score: ScoreBatch
  /** The config hash known before scoring (in-process), else null (the service's reply tells). */
  configHash: string | null
  close: () => Promise<void>
}

interface BackendOptions { url?: string, threads: number, textThreads: number, deadlineMs: number, rewards?: RewardsOptions, advantages?: AdvantageOptions }

export async function openBackend (opts: BackendOptions, say: (msg: string) => void): Promise<OpenBackend> {
  if (opts.url !== undefined) {
    return { score: httpBackend({ url: opts.url, rewards: opts.rewards, advantages: opts.advantages, onRetry: say }), configHash: null, close: async () => {} }
  }
  const { createMathVerifier } = await import('../rewards/math/index.ts')
  const { Scorer } = await import('../scoring/scorer.ts')
  const { LanguagePool } = await import('../rewards/language/pool.ts')
  const { resolveOptions, configHash } = await import('../scoring/options.ts')
  const effective = resolveOptions(opts.rewards, opts.advantages)
  const math = createMathVerifier({ threads: opts.threads, deadlineMs: opts.deadlineMs })
  // language workers only when the language reward is on (otherwise they would idle beside the math pool)
  const language = new LanguagePool(effective.rewards.language === undefined ? 0 : opts.textThreads)
  return {
    score: inProcessBackend(new Scorer({ math, language }), opts.rewards, opts.advantages),
    configHash: configHash(effective),
    close: async () => { await Promise.all([math.close(), language.close()]) }
  }
}
