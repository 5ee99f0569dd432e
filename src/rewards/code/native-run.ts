/**
 * Compiled languages (cpp, c, java, go, rust): build once through the cache, run one jailed process per
 * test, judge outside the jail. stdio: stdout is compared here (compare.ts rule, a builtin checker, or a
 * program checker run in its own jail as a checker uid). script: the test code is part of the program, so
 * the verdict is the program's exit status and the result says `trust: 'cooperative'`. call: the solution
 * with a generated driver (native-call.ts), one jailed process per case; the value the driver reports on fd 4
 * is compared here.
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { CodeCheckInput, CodeCheckResult, TestVerdict } from './api.ts'
import type { CallTests, Checker } from './schema.ts'
import type { EffectiveLimits } from '../../sandbox/types.ts'
import type { NativeRuntime, ProcessLimits, ProcessResult } from '../../sandbox/native/runtime.ts'
import { familyOf, NATIVE_META, type NativeLanguage } from '../../sandbox/native/toolchains.ts'
import { caseMatches, DEFAULT_FLOAT_TOLERANCE, outputMatches, preview } from './compare.ts'
import { callFunctionProblem, callProgram, callStdin, readFrame, RESULT_BYTES } from './native-call.ts'
import { builtinAccepts } from './checkers.ts'
import { cCallProgram } from './c-call.ts'

type TestResult = CodeCheckResult['tests'][number]

const CHECKER_LIMITS: ProcessLimits = { cpuMs: 10_000, wallMs: 25_000, memoryMb: 512, outputBytes: 1 << 16, fsizeBytes: 1 << 20, nofile: 64, nproc: 16, tmpfsBytes: 16 << 20 }

function clip (s: string, n = 500): string {
  return s.length > n ? s.slice(0, n) + '…' : s
}

export function processLimits (language: NativeLanguage, l: EffectiveLimits): ProcessLimits {
  const meta = NATIVE_META[familyOf(language)]
  return {
    cpuMs: l.time_ms,
    wallMs: l.time_ms * l.wall_factor + l.wall_extra_ms,
    memoryMb: l.memory_mb,
    outputBytes: l.output_bytes,
    fsizeBytes: l.fsize_bytes,
    nofile: l.nofile,
    nproc: meta.jail.nproc,
    tmpfsBytes: meta.jail.tmpfs_bytes
  }
}

/** What a finished process says before any output is compared: a failure verdict, a host fault, or nothing. */
export function classify (r: ProcessResult, cpuLimitMs: number, script: boolean): { verdict?: TestVerdict, fault?: string, error?: string } {
  if (r.aborted) return { fault: 'aborted' }
  if (r.outputLimit) return { verdict: 'output_limit' }
  if (r.oom) return { verdict: 'memory_limit' }
  const rep = r.report
  if (rep === null) return { fault: r.backstop ? 'host backstop killed the jail' : `the jail failed: ${r.startError ?? 'no report'}` }
  if (rep.exec_errno !== 0) return { fault: `the program could not start (errno ${rep.exec_errno})` }
  if (rep.limit === 'cpu' || rep.limit === 'wall_idle' || rep.signal === 24) return { verdict: 'timeout' }
  if (rep.limit === 'wall_busy') {
    return rep.cpu_ms >= cpuLimitMs ? { verdict: 'timeout' } : { fault: `wall-clock limit reached after ${Math.round(rep.cpu_ms)} ms of CPU (host overloaded)` }
  }
  if (/java\.lang\.OutOfMemoryError/.test(r.stderr)) return { verdict: 'memory_limit' }
  if (rep.signal === 25) return { verdict: 'runtime_error', error: 'file size limit exceeded' }
  if (rep.exit === 0) return {}
  if (script && (rep.exit !== null || rep.signal === 6)) return { verdict: 'wrong_answer', error: rep.exit !== null ? `exit ${rep.exit}` : 'assertion failed (SIGABRT)' }
  return { verdict: 'runtime_error', error: rep.exit !== null ? `exit ${rep.exit}` : `signal ${rep.signal ?? '?'}` }
}

interface CheckerRun { box?: string, release: () => void, error?: string }

async function prepareChecker (rt: NativeRuntime, checker: Checker | undefined, signal?: AbortSignal): Promise<CheckerRun> {
  if (checker?.type !== 'program' || checker.language !== 'cpp') return { release: () => {} }
  const b = await rt.build('cpp', 'stdio', checker.code, signal)
  if (b.outcome.kind === 'ok') return { box: b.outcome.box, release: b.release }
  b.release()
  return { release: () => {}, error: b.outcome.kind === 'error' ? b.outcome.reason : `the checker does not compile: ${clip(b.outcome.message, 300)}` }
}

/** testlib protocol: exit 0 accepted, 1 wrong answer, 2 presentation error; anything else is a checker fault. */
async function runProgramChecker (rt: NativeRuntime, checker: Extract<Checker, { type: 'program' }>, box: string | undefined, stdin: string, output: string, answer: string, signal?: AbortSignal): Promise<{ ok: boolean } | { fault: string }> {
  const io = join(rt.cache.dir, 'staging', `io-${randomBytes(8).toString('hex')}`)
  mkdirSync(io, { mode: 0o755 })
  try {
    for (const [f, s] of [['input', stdin], ['output', output], ['answer', answer]] as const) writeFileSync(join(io, f), s, { mode: 0o644 })
    let argv: string[]
    const binds: Array<[string, string]> = [[io, '/io']]
    if (checker.language === 'python') {
      writeFileSync(join(io, 'checker.py'), checker.code, { mode: 0o644 })
      argv = ['/usr/bin/python3', '-S', '-B', '/io/checker.py', '/io/input', '/io/output', '/io/answer']
    } else {
      if (box === undefined) return { fault: 'checker not built' }
      binds.push([box, '/box'])
      argv = ['/box/prog', '/io/input', '/io/output', '/io/answer']
    }
    chmodSync(io, 0o755)
    const r = await rt.runChecker(argv, binds, CHECKER_LIMITS, signal)
    const rep = r.report
    if (rep?.exit === 0) return { ok: true }
    if (rep?.exit === 1 || rep?.exit === 2) return { ok: false }
    return { fault: `checker failed (${rep === null ? 'no report' : rep.exit !== null ? `exit ${rep.exit}` : `signal ${rep.signal ?? '?'}`}): ${clip(r.stderr.trim(), 300)}` }
  } finally {
    rmSync(io, { recursive: true, force: true })
  }
}

export async function runNative (rt: NativeRuntime, input: CodeCheckInput, limits: EffectiveLimits, signal?: AbortSignal): Promise<CodeCheckResult> {
  const language = input.language as NativeLanguage
  const t = input.tests
  const total = t.type === 'script' ? 1 : t.cases.length
  const fail = (status: 'error' | 'unscorable', reason: string): CodeCheckResult => ({ status, reward: null, passed: 0, total, tests: [], reason })
  const missing = rt.missing(language)
  if (missing !== null) return fail('error', `${language} is not available here: ${missing}`)
  const compileError = (message: string, build: { cached: boolean, compileMs: number }): CodeCheckResult => {
    const tests: TestResult[] = Array.from({ length: total }, (_, i) => ({ index: i, verdict: 'compile_error' as const, ...(i === 0 && { error: clip(message, 2000) }) }))
    return { status: 'ok', reward: 0, passed: 0, total, tests, ...(t.type === 'script' && { trust: 'cooperative' as const }), build: { cached: build.cached, compile_ms: Math.round(build.compileMs) } }
  }
  let program = { source: input.code, extra: '' }
  if (t.type === 'call') {
    const problem = callFunctionProblem(language, t.function)
    if (problem !== null) return fail('unscorable', problem)
    if (familyOf(language) === 'c') {
      // C: the prototype comes from a first (cached) syntax-only pass in a jail (c-call.ts)
      const c = await cCallProgram(rt, language, input.code, t.function, signal)
      if ('error' in c) return fail('error', c.error)
      if ('compileError' in c) return compileError(c.compileError, c)
      program = { source: c.source, extra: '' }
    } else program = callProgram(language, input.code, t.function, t.cases[0]?.args.length ?? 0)
  }
  const script = t.type === 'script'
  const kind = t.type
  const source = script ? `${input.code}\n${t.script}\n` : program.source
  const checker = t.type === 'stdio' ? t.checker : undefined
  const [built, chk] = await Promise.all([rt.build(language, kind, source, signal, program.extra), prepareChecker(rt, checker, signal)])
  try {
    const out = built.outcome
    if (out.kind === 'error') return fail('error', out.reason)
    if (chk.error !== undefined) return fail('error', chk.error)
    const trust = script ? { trust: 'cooperative' as const } : {}
    const build = { build: { cached: out.cached, compile_ms: Math.round(out.compileMs) } }
    if (out.kind === 'compile_error') return compileError(out.message, out)
    const pl = processLimits(language, limits)
    const nonces = t.type === 'call' ? t.cases.map(() => randomBytes(16).toString('hex')) : []
    const stdins = t.type === 'stdio' ? t.cases.map(c => c.stdin) : t.type === 'call' ? t.cases.map((c, i) => callStdin(nonces[i] as string, c)) : ['']
    const faults: string[] = []
    const tests = await Promise.all(stdins.map(async (stdin, i): Promise<TestResult> => {
      const r = await rt.run(language, kind, source, out.box, stdin, pl, signal, t.type === 'call' ? RESULT_BYTES : undefined)
      const base: TestResult = { index: i, verdict: 'runtime_error' }
      if (r.report !== null) base.time_ms = Math.round(r.report.cpu_ms)
      const c = classify(r, pl.cpuMs, script)
      if (c.fault !== undefined) { faults.push(c.fault); return base }
      const stderr = r.stderr.trim() === '' ? {} : { stderr: clip(r.stderr) }
      if (c.verdict !== undefined) return { ...base, verdict: c.verdict, ...(c.error !== undefined && { error: c.error }), ...stderr }
      if (t.type === 'call') {
        const f = readFrame(r.result, nonces[i] as string)
        if ('error' in f) return { ...base, verdict: 'runtime_error', error: f.error, ...stderr }
        const c = t.cases[i] as CallTests['cases'][number]
        if (caseMatches(f.value, c, { tol: t.float_tolerance ?? DEFAULT_FLOAT_TOLERANCE, unordered: t.unordered ?? false })) return { ...base, verdict: 'passed' }
        return { ...base, verdict: 'wrong_answer', got: preview(f.value), expected: preview(c.expected) }
      }
      if (t.type !== 'stdio') return { ...base, verdict: 'passed' }
      const expected = t.cases[i]?.stdout ?? ''
      let ok: boolean
      if (checker?.type === 'builtin') ok = builtinAccepts(checker, r.stdout, expected)
      else if (checker?.type === 'program') {
        const v = await runProgramChecker(rt, checker, chk.box, stdin, r.stdout, expected, signal)
        if ('fault' in v) { faults.push(v.fault); return base }
        ok = v.ok
      } else ok = outputMatches(r.stdout, expected, t.float_tolerance ?? DEFAULT_FLOAT_TOLERANCE)
      return ok ? { ...base, verdict: 'passed' } : { ...base, verdict: 'wrong_answer', got: clip(r.stdout, 200), expected: clip(expected, 200) }
    }))
    if (faults.length > 0) return { ...fail('error', faults[0] as string), ...build }
    const passed = tests.filter(x => x.verdict === 'passed').length
    const reward = input.scoring === 'all_or_nothing' ? (passed === total ? 1 : 0) : passed / total
    return { status: 'ok', reward, passed, total, tests, ...trust, ...build }
  } finally {
    built.release()
    chk.release()
  }
}
