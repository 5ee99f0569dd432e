/**
 * From raw sandbox outcomes (src/sandbox/types.ts RawCase) to per-test verdicts and the CodeCheckResult.
 * Values are compared here, on the host, never inside the sandbox.
 */
import type { CodeCheckResult, TestVerdict } from './api.ts'
import type { CodeTests, CodeScoring } from './schema.ts'
import type { RawCase, RawJobResult } from '../../sandbox/types.ts'
import { DEFAULT_FLOAT_TOLERANCE, caseMatches, outputMatches, preview } from './compare.ts'

const VERDICTS = new Set<string>(['passed', 'wrong_answer', 'runtime_error', 'timeout', 'memory_limit', 'output_limit', 'compile_error'])

export type TestResult = CodeCheckResult['tests'][number]

function clip (s: string | undefined, n = 500): string | undefined {
  if (s === undefined || s === '') return undefined
  return s.length > n ? s.slice(0, n) + '…' : s
}

export function testCount (tests: CodeTests): number {
  return tests.type === 'script' ? 1 : tests.cases.length
}

function judgeCase (tests: CodeTests, i: number, raw: RawCase | undefined, missing: string): TestResult {
  if (raw === undefined) return { index: i, verdict: 'runtime_error', error: missing }
  const base: TestResult = { index: i, verdict: 'runtime_error' }
  if (raw.ms !== undefined) base.time_ms = raw.ms
  const tol = tests.type === 'script' ? DEFAULT_FLOAT_TOLERANCE : tests.float_tolerance ?? DEFAULT_FLOAT_TOLERANCE
  if (raw.v === 'ok' && tests.type === 'call') {
    const c = tests.cases[i]
    if (c !== undefined && caseMatches(raw.value, c, { tol, unordered: tests.unordered === true })) return { ...base, verdict: 'passed' }
    return { ...base, verdict: 'wrong_answer', got: preview(raw.value), expected: preview(c?.expected) }
  }
  if (raw.v === 'ok' && tests.type === 'stdio') {
    const expected = tests.cases[i]?.stdout ?? ''
    if (outputMatches(raw.stdout ?? '', expected, tol)) return { ...base, verdict: 'passed' }
    return { ...base, verdict: 'wrong_answer', got: clip(raw.stdout, 200) ?? '', expected: clip(expected, 200) ?? '' }
  }
  if (raw.v === 'passed' && tests.type === 'script') return { ...base, verdict: 'passed' }
  const verdict = (VERDICTS.has(raw.v) && raw.v !== 'passed' ? raw.v : 'runtime_error') as TestVerdict
  const out: TestResult = { ...base, verdict }
  const error = clip(raw.error)
  if (error) out.error = error
  const stderr = clip(raw.stderr)
  if (stderr) out.stderr = stderr
  return out
}

export function buildResult (tests: CodeTests, raw: RawJobResult, scoring: CodeScoring = 'fraction'): CodeCheckResult {
  const total = testCount(tests)
  if (raw.status === 'error' || raw.status === 'timeout') {
    return { status: raw.status, reward: null, passed: 0, total, tests: [], reason: raw.reason ?? 'sandbox failure' }
  }
  if (raw.status === 'test_error') {
    return { status: 'unscorable', reward: null, passed: 0, total, tests: [], reason: `the test itself does not run: ${raw.reason ?? ''}` }
  }
  const missing = raw.reason ?? 'no result from the sandbox for this test'
  const results: TestResult[] = []
  for (let i = 0; i < total; i++) results.push(judgeCase(tests, i, raw.cases[i], missing))
  const passed = results.filter(t => t.verdict === 'passed').length
  const reward = scoring === 'all_or_nothing' ? (passed === total ? 1 : 0) : passed / total
  const out: CodeCheckResult = { status: 'ok', reward, passed, total, tests: results }
  if (raw.reason) out.reason = raw.reason
  return out
}
