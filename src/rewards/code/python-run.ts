/** Python: turn a check into one jail job (all tests of the completion in one job) and run it on the pool. */
import type { CodeCheckInput, CodeCheckResult } from './api.ts'
import type { EffectiveLimits, PythonJob } from '../../sandbox/types.ts'
import type { PythonPool } from '../../sandbox/python-pool.ts'
import { toTagged } from './compare.ts'
import { buildResult, testCount } from './verdicts.ts'

export function pythonJob (input: CodeCheckInput, limits: EffectiveLimits): PythonJob {
  const t = input.tests
  if (t.type === 'call') {
    return { form: 'call', code: input.code, function: t.function, cases: t.cases.map(c => toTagged(c.args) as unknown[]), limits }
  }
  if (t.type === 'stdio') return { form: 'stdio', code: input.code, stdins: t.cases.map(c => c.stdin), limits }
  return { form: 'script', code: input.code, script: t.script, limits }
}

/** Host-side backstop: every case's in-jail wall limit with the judge's grace for a starved solution (3x),
 *  plus slack for start-up and reporting. */
export function backstopMs (input: CodeCheckInput, limits: EffectiveLimits): number {
  const perCase = limits.time_ms * limits.wall_factor + limits.wall_extra_ms
  return 3 * perCase * testCount(input.tests) + 5000
}

export async function runPython (pool: PythonPool, input: CodeCheckInput, limits: EffectiveLimits, signal?: AbortSignal): Promise<CodeCheckResult> {
  const raw = await pool.run(pythonJob(input, limits), backstopMs(input, limits), signal)
  return buildResult(input.tests, raw, input.scoring)
}
