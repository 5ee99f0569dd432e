/**
 * Contract of the code verifier (implemented in this folder, driving sandboxes/ through src/sandbox/).
 * The scoring service and /v1/verify/code call only what is declared here.
 */
import type { RewardStatus } from '../types.ts'
import type { CodeTests } from './schema.ts'
import type { EffectiveLimits } from '../../sandbox/types.ts'

export type CodeLanguage = 'python' | 'javascript' | 'cpp' | 'cpp17' | 'cpp20' | 'c' | 'java' | 'go' | 'rust'

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
  /** 'cooperative': script tests of a compiled language ran in the solution's process (a forgeable verdict). */
  trust?: 'cooperative'
  /** Compiled languages: whether the program came from the build cache, and its compile time. */
  build?: { cached: boolean, compile_ms: number }
}

/** What verify() takes: `code` is used as given (extract it from a completion with extractCode first). */
export interface CodeCheckInput {
  language: CodeLanguage
  code: string
  /** One of the three forms of schema.ts CodeTestsSchema. */
  tests: CodeTests
  limits?: CodeLimits
  scoring?: 'fraction' | 'all_or_nothing'
}

export interface CodeVerifierOptions {
  /** Concurrent Python jails (default: machine parallelism); each slot runs as its own uid. */
  pythonSlots?: number
  /** First uid of the Python slots (slot i runs as uidBase + i). Default 61000. */
  uidBase?: number
  /** Processes per Python slot (RLIMIT_NPROC of the slot uid). Default 64. */
  nproc?: number
  /** Path of bubblewrap (default /usr/bin/bwrap); when missing, Python checks answer status 'error'. */
  bwrap?: string
  /** Concurrent JavaScript isolates (default: machine parallelism). */
  jsIsolates?: number
  /** First uid of the JavaScript sandbox processes when the service runs as root (a claimed range). Default 74000. */
  jsUidBase?: number
  /** Compiled languages (src/sandbox/native): concurrent jails, uid bases, build cache. */
  native?: { slots?: number, uidBase?: number, checkerUidBase?: number, cacheDir?: string, cacheMb?: number, languages?: string[], warm?: boolean }
  /** Operator caps per language (requests can only lower these). */
  caps?: Partial<Record<CodeLanguage, Partial<EffectiveLimits>>>
}

export interface CodeVerifier {
  verify (input: CodeCheckInput, opts?: { signal?: AbortSignal }): Promise<CodeCheckResult>
  /** Start the sandboxes now (first requests then find them warm); rejects with the reason if they cannot run. */
  warm (): Promise<void>
  /** Enabled compiled languages: 'ok', or 'missing: <why>' (toolchain or jail not available); `required`
   * when the operator listed them (CODE_LANGUAGES), so that readiness fails without them. */
  languages?: () => { required: boolean, status: Record<string, string> }
  close (): Promise<void>
}
