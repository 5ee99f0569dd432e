/** JavaScript: turn a check into one sandbox-process job and map its outcome to verdicts (compared on the host). */
import type { CodeCheckInput, CodeCheckResult } from './api.ts'
import type { EffectiveLimits, RawJobResult } from '../../sandbox/types.ts'
import type { JsPool } from '../../sandbox/js-pool.ts'
import type { JsJob } from '../../sandbox/js-runner.ts'
import { buildResult } from './verdicts.ts'

export function jsJob (input: CodeCheckInput, limits: EffectiveLimits): JsJob {
  const t = input.tests
  if (t.type === 'call') return { form: 'call', code: input.code, function: t.function, argsJson: t.cases.map(c => JSON.stringify(c.args)), limits }
  if (t.type === 'stdio') return { form: 'stdio', code: input.code, stdins: t.cases.map(c => c.stdin), limits }
  return { form: 'script', code: input.code, script: t.script, limits }
}

export async function runJavascript (pool: JsPool, input: CodeCheckInput, limits: EffectiveLimits, signal?: AbortSignal): Promise<CodeCheckResult> {
  const t0 = performance.now()
  if (signal?.aborted) return buildResult(input.tests, { status: 'error', cases: [], reason: 'aborted', wall_ms: 0 }, input.scoring)
  const out = await pool.run(jsJob(input, limits), signal)
  const wall = performance.now() - t0
  let raw: RawJobResult
  if (out instanceof Error) raw = { status: 'error', cases: [], reason: out.message.startsWith('javascript') ? out.message : `javascript sandbox: ${out.message}`, wall_ms: wall }
  else if (out.testError !== undefined) raw = { status: 'test_error', cases: [], reason: out.testError, wall_ms: wall }
  else raw = { status: 'ok', cases: out.cases, wall_ms: wall }
  return buildResult(input.tests, raw, input.scoring)
}
