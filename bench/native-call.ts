/**
 * HumanEval-X as call tests (src/rewards/code/humaneval-x.ts): per language, how many of the 164 tasks convert
 * (every assertion a literal call with a literal expected value), and through the code verifier how many
 * canonical programs pass and how many near-miss wrong programs fail among the converted tasks.
 * Standalone: node --import tsx bench/native-call.ts   ·   npm run bench -- native-call
 * NATIVE_CALL_SETS=cpp,java,go,rust picks languages (default all installed); NATIVE_CALL_LIMIT=N runs the first
 * N converted tasks of each (default all; 0 = coverage only).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCodeVerifier } from '../src/rewards/code/verifier.ts'
import { toolchainMissing } from '../src/sandbox/native/toolchains.ts'
import { humanevalXCall, nativeCorpusAvailable, type HeItem, type HeLanguage } from '../test/sandbox/native/corpus.ts'
import { median, table } from './lib.ts'

async function pool<T> (items: T[], concurrency: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++] as T)
  }))
}

export async function benchNativeCall (): Promise<string> {
  if (!nativeCorpusAvailable()) return 'HumanEval-X as call tests: skipped (no ../shared/eval/code corpus)\n'
  const sets = (process.env.NATIVE_CALL_SETS ?? 'cpp,java,go,rust').split(',') as HeLanguage[]
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
