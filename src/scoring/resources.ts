/**
 * What scoring needs, built in one place for the app, the standalone worker and the CLI: the math verifier
 * pool, the language worker pool, the code sandboxes (started lazily, on first use) and the scorer itself.
 */
import type { Config } from '../config/schema.ts'
import type { MathVerifier } from '../rewards/math/api.ts'
import type { CodeVerifier, CodeVerifierOptions } from '../rewards/code/api.ts'
import { NATIVE_LANGUAGES } from '../sandbox/native/toolchains.ts'
import { errors } from '../errors.ts'
import type { ComponentName } from './options.ts'
import type { ComponentResult } from '../rewards/types.ts'
import { createMathVerifier } from '../rewards/math/index.ts'
import { createCodeVerifier } from '../rewards/code/verifier.ts'
import { configureSandboxCpu } from '../sandbox/cgroup.ts'
import { LanguagePool } from '../rewards/language/pool.ts'
import { Scorer } from './scorer.ts'
import { createGates, gateCode, gateMath, type Gates, type GatedCode, type GatedMath } from './admission.ts'

export interface ScoringResources {
  /** The math verifier behind its admission gate (every check waits its tenant's turn). */
  math: GatedMath
  /** The code verifier behind its admission gate. */
  code: GatedCode
  gates: Gates
  language: LanguagePool
  scorer: Scorer
  /** Closes what this factory created (not an injected math verifier). */
  close: () => Promise<void>
}

export interface ScoringResourceOptions {
  /** A math verifier to use instead of creating a pool; its owner closes it. */
  math?: MathVerifier
  /** Workers of an injected math verifier (the math gate lets this many checks in; default config.MATH_THREADS). */
  mathThreads?: number
  /** Language worker threads (default config.TEXT_THREADS). */
  textThreads?: number
  observe?: (component: ComponentName, seconds: number, results: ComponentResult[]) => void
}

/** Compiled-language options of the code verifier from the CODE_* keys. */
export function nativeOptions (config: Config): Pick<CodeVerifierOptions, 'native' | 'caps'> {
  const languages = config.CODE_LANGUAGES === 'auto' ? undefined : config.CODE_LANGUAGES.split(',')
  const unknown = languages?.filter(l => !(NATIVE_LANGUAGES as readonly string[]).includes(l))
  if (unknown !== undefined && unknown.length > 0) {
    throw new errors.ConfigInvalid('CODE_LANGUAGES', `unknown language(s) ${unknown.join(', ')}; known: ${NATIVE_LANGUAGES.join(', ')}`)
  }
  return {
    native: {
      slots: config.CODE_NATIVE_SLOTS,
      uidBase: config.CODE_NATIVE_UID_BASE,
      checkerUidBase: config.CODE_CHECKER_UID_BASE,
      cacheMb: config.CODE_CACHE_MB,
      warm: config.CODE_NATIVE_WARM,
      ...(config.CODE_CACHE_DIR !== '' && { cacheDir: config.CODE_CACHE_DIR }),
      ...(languages !== undefined && { languages })
    },
    caps: {
      cpp: { time_ms: config.CODE_CPP_TIME_MS, memory_mb: config.CODE_CPP_MEMORY_MB },
      c: { time_ms: config.CODE_CPP_TIME_MS, memory_mb: config.CODE_CPP_MEMORY_MB },
      java: { time_ms: config.CODE_JAVA_TIME_MS, memory_mb: config.CODE_JAVA_MEMORY_MB },
      go: { time_ms: config.CODE_GO_TIME_MS, memory_mb: config.CODE_GO_MEMORY_MB },
      rust: { time_ms: config.CODE_RUST_TIME_MS, memory_mb: config.CODE_RUST_MEMORY_MB }
    }
  }
}

export function createScoringResources (config: Config, opts: ScoringResourceOptions = {}): ScoringResources {
  const rawMath: MathVerifier = opts.math ?? createMathVerifier({ threads: config.MATH_THREADS, deadlineMs: config.MATH_DEADLINE_MS })
  const language = new LanguagePool(opts.textThreads ?? config.TEXT_THREADS)
  const cpu = configureSandboxCpu(config.CODE_CPU_SHARES) // before the pools start their sandboxes
  if (cpu !== null) process.emitWarning(`CODE_CPU_SHARES not applied: ${cpu}`)
  const rawCode: CodeVerifier = createCodeVerifier({ pythonSlots: config.CODE_PYTHON_SLOTS, jsIsolates: config.CODE_JS_ISOLATES, jsUidBase: config.CODE_JS_UID_BASE, uidBase: config.CODE_UID_BASE, ...nativeOptions(config) })
  const gates = createGates(config, opts.mathThreads)
  const math = gateMath(rawMath, gates.math)
  const code = gateCode(rawCode, gates.code)
  const scorer = new Scorer({ math, language, code, ...(opts.observe === undefined ? {} : { observe: opts.observe }) })
  return {
    math,
    code,
    gates,
    language,
    scorer,
    close: async () => {
      await Promise.all([language.close(), rawCode.close(), opts.math === undefined ? rawMath.close() : Promise.resolve()])
    }
  }
}
