/**
 * Math verifier: answer extraction, parsing of LaTeX and plain text, equivalence (exact, symbolic,
 * numeric, structures), run in a worker-thread pool with a deadline per check. See README.md.
 */
import type { MathCheckInput, MathCheckResult, MathVerifier, MathVerifierOptions } from './api.ts'
import { MAX_COMPLETION_CHARS } from './extract.ts'
import { MathPool, failed } from './pool.ts'

export type { MathCheckInput, MathCheckResult, MathVerifier, MathVerifierOptions } from './api.ts'
export { checkMathSync } from './check.ts'
export { extractAnswer } from './extract.ts'

/** Largest gold accepted before a worker is involved. */
const MAX_GOLD_CHARS = 64 * 1024

/**
 * Starts `threads` workers now (about half a second each) and keeps them. Inputs over the size caps are
 * answered 'unscorable' in the calling thread, without a worker.
 */
export function createMathVerifier (opts: MathVerifierOptions): MathVerifier & { ready: () => Promise<void> } {
  const pool = new MathPool(opts)
  const precheck = (input: MathCheckInput): MathCheckResult | null => {
    if (typeof input.gold !== 'string' || typeof input.prediction !== 'string') return failed('error', 'gold and prediction must be strings')
    if (input.gold.length > MAX_GOLD_CHARS) return failed('unscorable', `gold longer than ${MAX_GOLD_CHARS} characters`)
    if (input.prediction.length > MAX_COMPLETION_CHARS) {
      return { ...failed('ok', `prediction longer than ${MAX_COMPLETION_CHARS} characters`), equivalent: false, rule: 'too_large' }
    }
    return null
  }
  return {
    ready: async () => { await pool.ready() },
    async check (input, o) {
      return precheck(input) ?? await pool.check(input, o)
    },
    async checkMany (inputs, o) {
      return await Promise.all(inputs.map(async i => precheck(i) ?? await pool.check(i, o)))
    },
    close: async () => { await pool.close() }
  }
}
