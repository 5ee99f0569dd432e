/**
 * HumanEval-X as call tests (src/rewards/code/humaneval-x.ts): per language, how many of the 164 tasks convert
 * (every assertion a literal call with a literal expected value), and through the code verifier how many
 * canonical programs pass and how many near-miss wrong programs fail among the converted tasks.
 * Standalone: node --import tsx bench/native-call.ts   ·   npm run bench -- native-call
 * NATIVE_CALL_SETS=c,cpp,java,go,rust picks languages (c: the C-against-C++ table below) (default all installed); NATIVE_CALL_LIMIT=N runs the first
 * N converted tasks of each (default all; 0 = coverage only).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCodeVerifier } from '../src/rewards/code/verifier.ts'
import { toolchainMissing, type NativeLanguage } from '../src/sandbox/native/toolchains.ts'
import { humanevalXCall, nativeCorpusAvailable, type HeItem, type HeLanguage } from '../test/sandbox/native/corpus.ts'
import { median, table } from './lib.ts'

async function pool<T> (items: T[], concurrency: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++] as T)
  }))
}

export async function benchNativeCall (): Promise<string> {
  const c = process.env.NATIVE_CALL_SETS === undefined || process.env.NATIVE_CALL_SETS.split(',').includes('c') ? await benchCCall() : ''
  return c + await benchHumanevalXCall()
}

/**
 * C call tests against C++ on the same function (a list in, its sum out; no C HumanEval-X corpus exists, so no
 * pass/fail table): cold = first verify of a fresh program (C: prototype pass + compile; C++: compile) plus its
 * cases; warm = the same program again (cached), wall ms per case. NATIVE_C_CASES cases (default 20), 5 warm rounds.
 */
export async function benchCCall (): Promise<string> {
  const cases = Number(process.env.NATIVE_C_CASES ?? 20)
  const programs: Array<[NativeLanguage, string, string]> = [
    ['c', 'long long sum(int *xs, int xsSize) { long long s = 0; for (int i = 0; i < xsSize; i++) s += xs[i]; return s; }', 'sum'],
    ['cpp', '#include <vector>\nlong long sum(std::vector<int> xs) { long long s = 0; for (int x : xs) s += x; return s; }', 'sum']
  ]
  const tests = { type: 'call' as const, function: 'sum', cases: Array.from({ length: cases }, (_, i) => ({ args: [Array.from({ length: 100 }, (_, k) => k * i)], expected: 4950 * i })) }
  const cacheDir = mkdtempSync(join(tmpdir(), 'rv-c-call-bench-'))
  const slots = availableParallelism()
  const v = createCodeVerifier({ pythonSlots: 1, native: { slots, cacheDir } })
  const rows: string[][] = []
  try {
    for (const [language, code] of programs) {
      const missing = toolchainMissing(language)
      if (missing !== null) { rows.push([language, '-', '-', '-', '-', missing]); continue }
      const cold: number[] = []
      const warm: number[] = []
      let ok = true
      for (let round = 0; round < 3; round++) {
        // a fresh program each round (a comment changes the cache key), then 5 warm runs of it
        const input = { language, code: `${code}\n/* round ${round} ${Date.now()} */\n`, tests }
        let t0 = performance.now()
        let r = await v.verify(input)
        cold.push(performance.now() - t0)
        ok &&= r.reward === 1
        for (let w = 0; w < 5; w++) {
          t0 = performance.now()
          r = await v.verify(input)
          warm.push((performance.now() - t0) / cases)
          ok &&= r.reward === 1
        }
      }
      rows.push([language, String(cases), (median(cold) / 1000).toFixed(2), median(warm).toFixed(1), ok ? 'all pass' : 'FAILED', ''])
    }
  } finally {
    await v.close()
    rmSync(cacheDir, { recursive: true, force: true })
  }
  return table('C call tests against C++ (the same function)', ['language', 'cases', 'median s per program (cold)', 'median ms per case (warm)', 'verdicts', 'note'], rows)
}

async function benchHumanevalXCall (): Promise<string> {
  if (process.env.NATIVE_CALL_SETS === 'c') return ''
  if (!nativeCorpusAvailable()) return 'HumanEval-X as call tests: skipped (no ../shared/eval/code corpus)\n'
  const sets = (process.env.NATIVE_CALL_SETS ?? 'cpp,java,go,rust').split(',').filter(l => l !== 'c') as HeLanguage[]
  const limit = process.env.NATIVE_CALL_LIMIT === undefined ? Infinity : Number(process.env.NATIVE_CALL_LIMIT)
  const cacheDir = mkdtempSync(join(tmpdir(), 'rv-native-call-bench-'))
  const slots = availableParallelism()
  const v = createCodeVerifier({ pythonSlots: 1, native: { slots, cacheDir } })
  const rows: string[][] = []
  const misses: string[] = []
  try {
    for (const language of sets) {
      const { tasks, canonical, wrong } = humanevalXCall(language)
      const ids = new Set(canonical.slice(0, limit).map(c => c.id))
      const items: HeItem[] = [...canonical, ...wrong].filter(i => ids.has(i.id))
      const missing = toolchainMissing(language)
      if (missing !== null || items.length === 0) { rows.push([language, `${canonical.length}/${tasks}`, '-', '-', '-', missing ?? 'not run']); continue }
      let pass = 0; let canon = 0; let failed = 0; let wrongN = 0
      const ms: number[] = []
      await pool(items, slots, async it => {
        const t0 = performance.now()
        const r = await v.verify(it.input)
        ms.push(performance.now() - t0)
        if (it.status === 'fail') { wrongN++; if (r.status === 'ok' && r.reward !== 1) failed++; else misses.push(`${it.id} wrong: ${r.status} ${String(r.reward)}`) } else {
          canon++
          if (r.status === 'ok' && r.reward === 1) pass++
          else misses.push(`${it.id} canonical (${it.status}): ${r.status} ${String(r.reward)} ${r.reason ?? JSON.stringify(r.tests.filter(t => t.verdict !== 'passed')).slice(0, 160)}`)
        }
      })
      rows.push([language, `${canonical.length}/${tasks}`, `${pass}/${canon}`, `${failed}/${wrongN}`, `${(median(ms) / 1000).toFixed(2)}`, ''])
    }
  } finally {
    await v.close()
    rmSync(cacheDir, { recursive: true, force: true })
  }
  return table('HumanEval-X as call tests', ['language', 'converted', 'canonical pass', 'wrong fail', 'median s per program (cold)', 'note'], rows) +
    (misses.length > 0 ? '\n' + misses.map(m => `- ${m}`).join('\n') + '\n' : '')
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) console.log(await benchNativeCall())
