/**
 * Contract of the code verifier (implemented in this folder, driving sandboxes/ through src/sandbox/).
 * The scoring service and /v1/verify/code call only what is declared here.
 */
import type { RewardStatus } from '../types.ts'

export type CodeLanguage = 'python' | 'javascript'

export type TestVerdict =
  | 'passed' | 'wrong_answer' | 'runtime_error' | 'timeout'
  | 'memory_limit' | 'output_limit' | 'compile_error'

export interface CodeLimits {
  time_ms?: number
  memory_mb?: number
  output_bytes?: number
}

export interface CodeCheckResult {
  /** 'error' (sandbox/infrastructure fault) always comes with reward null, never 0. */
  status: RewardStatus
  reward: number | null
  passed: number
  total: number
  tests: Array<{ verdict: TestVerdict } & Record<string, unknown>>
  reason?: string
}
