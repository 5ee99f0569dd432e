/**
 * Compiled-language bench: HumanEval-X (C++, Java, Go, Rust: canonical + near-miss wrong programs, script
 * tests) and cp_stdio (stdio tests, checkers) through the code verifier, with one table per set:
 * - pass/fail counts against SOURCES.md's expectations (canonical pass except the rows it marks fail/flaky;
 *   every wrong program fails; every judgeable cp_stdio reference solution passes);
 * - compile time p50/p95, cold (fresh build cache) and cached (second pass), CPU time per test;
 * - cold ratio: our compile + runs against bare compile + runs (same compiler argv, same run argv, no jail),
 *   warm ratio: our cached runs against the bare prebuilt binaries; same concurrency, side by side in this run;
 * - completions/s through POST /v1/verify/code of a running service at the default pool (CODE_NATIVE_SLOTS).
 * Standalone: node --import tsx bench/native.ts   ·   npm run bench -- native
 * NATIVE_BENCH_SETS=cpp,cp,java,go,rust picks sets (default all, in that order); NATIVE_BENCH_LIMIT=N takes
 * the first N programs of each set (default all).
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCodeVerifier } from '../src/rewards/code/verifier.ts'
import type { CodeCheckInput, CodeCheckResult, CodeVerifier } from '../src/rewards/code/api.ts'
import { compilePlan, GO_ENV, isNative, runPlan, toolchainMissing, NATIVE_META, familyOf, type NativeLanguage } from '../src/sandbox/native/toolchains.ts'
import { ensureRustCrates } from '../src/sandbox/native/rust-crates.ts'
import { ensureGoCache } from '../src/sandbox/native/go-cache.ts'
import { cpStdio, humanevalX, nativeCorpusAvailable, type HeLanguage } from '../test/sandbox/native/corpus.ts'
import { median, percentile, startService, table } from './lib.ts'

interface Item { id: string, input: CodeCheckInput, expect: 'pass' | 'fail' | 'any' }

async function pool<T> (items: T[], concurrency: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++] as T)
  }))
}

function sh (argv: string[], env: Record<string, string>, cwd: string, stdin = ''): Promise<number> {
  return new Promise(resolve => {
    const p = spawn(argv[0] as string, argv.slice(1), { env, cwd, stdio: ['pipe', 'ignore', 'ignore'] })
    p.stdin.on('error', () => {})
    p.stdin.end(stdin)
    p.on('exit', code => resolve(code ?? 1))
    p.on('error', () => resolve(1))
  })
}

/** Maps jail paths to host paths in one pass (a mapped path is never mapped again). */
function sub (xs: string[], map: Array<[string, string]>): string[] {
  const to = new Map(map)
  const re = new RegExp(`(${map.map(([a]) => a.replace(/[/.]/g, '\\$&')).join('|')})(?=/|$)`, 'g')
  return xs.map(x => x.replace(re, m => to.get(m) ?? m))
}

/** Bare: the same compiler argv and run argv, paths mapped to a temp dir, no jail, no limits. */
async function bare (items: Item[], concurrency: number, dir: string, crates: string | null): Promise<{ coldMs: number, warmMs: number, failedCompiles: number }> {
  const built: Array<{ it: Item, box: string } | null> = []
  const t0 = performance.now()
  await pool(items.map((it, i) => ({ it, i })), concurrency, async ({ it, i }) => {
    const lang = it.input.language as NativeLanguage
    const t = it.input.tests
    const kind = t.type === 'script' ? 'script' : 'stdio'
    const src = t.type === 'script' ? `${it.input.code}\n${t.script}\n` : it.input.code
    const root = join(dir, String(i))
    mkdirSync(join(root, 'src'), { recursive: true })
    mkdirSync(join(root, 'out'))
    mkdirSync(join(root, 'tmp'))
    const plan = compilePlan(lang, kind, src, crates)
    writeFileSync(join(root, 'src', plan.file), src)
    const map: Array<[string, string]> = [['/build/src', join(root, 'src')], ['/build/out', join(root, 'out')], ['/crates', crates ?? '/crates'], ['/gocache', crates ?? '/gocache'], ['/tmp', join(root, 'tmp')], ['/box', join(root, 'out')]]
    const env = Object.fromEntries(Object.entries(plan.env).map(([k, v]) => [k, sub([v], map)[0] as string]))
    if (await sh(sub(plan.argv, map), env, join(root, 'tmp')) !== 0) { built[i] = null; return }
    built[i] = { it, box: join(root, 'out') }
    await runAll(it, lang, kind, src, join(root, 'out'), join(root, 'tmp'))
  })
  const coldMs = performance.now() - t0
  const t1 = performance.now()
  await pool(built.filter(b => b !== null), concurrency, async b => {
    const t = b.it.input.tests
    const kind = t.type === 'script' ? 'script' : 'stdio'
    const src = t.type === 'script' ? `${b.it.input.code}\n${t.script}\n` : b.it.input.code
    await runAll(b.it, b.it.input.language as NativeLanguage, kind, src, b.box, join(b.box, '..', 'tmp'))
  })
  return { coldMs, warmMs: performance.now() - t1, failedCompiles: built.filter(b => b === null).length }
}

async function runAll (it: Item, lang: NativeLanguage, kind: 'script' | 'stdio', src: string, box: string, tmp: string): Promise<void> {
  const plan = runPlan(lang, kind, src, NATIVE_META[familyOf(lang)].limits.memory_mb)
  const map: Array<[string, string]> = [['/box', box], ['/tmp', tmp]]
  const argv = sub(plan.argv, map)
  const env = Object.fromEntries(Object.entries(plan.env).map(([k, v]) => [k, sub([v], map)[0] as string]))
  const t = it.input.tests
  const stdins = t.type === 'stdio' ? t.cases.map(c => c.stdin) : ['']
  for (const stdin of stdins) await sh(argv, env, tmp, stdin)
}

interface Pass { ms: number, results: CodeCheckResult[] }

async function ours (v: CodeVerifier, items: Item[], concurrency: number): Promise<Pass> {
  const results: CodeCheckResult[] = new Array<CodeCheckResult>(items.length)
  const t0 = performance.now()
  await pool(items.map((it, i) => ({ it, i })), concurrency, async ({ it, i }) => { results[i] = await v.verify(it.input) })
  return { ms: performance.now() - t0, results }
}

async function http (url: string, items: Item[], concurrency: number): Promise<number> {
  const t0 = performance.now()
  await pool(items, concurrency, async it => {
    const res = await fetch(`${url}/v1/verify/code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: it.input.language, code: it.input.code, tests: it.input.tests }) })
    await res.json()
  })
  return items.length / ((performance.now() - t0) / 1000)
}

function count (items: Item[], rs: CodeCheckResult[]): { ok: number, bad: string[], errors: number } {
  let ok = 0
  let errors = 0
  const bad: string[] = []
  items.forEach((it, i) => {
    const r = rs[i]
    if (r === undefined || r.status !== 'ok') { errors++; bad.push(`${it.id}(${r?.status ?? '?'}: ${(r?.reason ?? '').slice(0, 60)})`); return }
    const pass = r.reward === 1
    if (it.expect === 'any' || (it.expect === 'pass') === pass) ok++
    else bad.push(`${it.id}(${it.expect === 'pass' ? 'failed' : 'passed'})`)
  })
  return { ok, bad, errors }
}

function sets (): Array<{ name: string, language: NativeLanguage, items: Item[], note: string }> {
  const limit = Number(process.env.NATIVE_BENCH_LIMIT ?? Infinity)
  const wanted = (process.env.NATIVE_BENCH_SETS ?? 'cpp,cp,java,go,rust').split(',')
  const out: Array<{ name: string, language: NativeLanguage, items: Item[], note: string }> = []
  for (const w of wanted) {
    if (w === 'cp') {
      const items = cpStdio().filter(c => c.judgeable && isNative(c.language)).map(c => ({ id: `${c.id}/${c.language}`, input: c.input, expect: c.expect }))
      out.push({ name: 'cp_stdio (C++ and Java reference solutions, stdio)', language: 'cpp', items: items.slice(0, limit), note: 'colortubes and molecules (several right outputs, no validator) left out' })
      continue
    }
    const lang = w as HeLanguage
    const { canonical, wrong } = humanevalX(lang)
    const items: Item[] = []
    const n = Math.min(canonical.length, limit)
    for (let i = 0; i < n; i++) {
      const c = canonical[i] as typeof canonical[number]
      items.push({ id: c.id, input: c.input, expect: c.status === 'fail' || c.status === 'flaky' ? 'any' : 'pass' })
      const wr = wrong.find(x => x.id === c.id)
      if (wr) items.push({ id: `${wr.id}/wrong`, input: wr.input, expect: 'fail' })
    }
    out.push({ name: `HumanEval-X ${lang} (canonical + wrong, script tests)`, language: lang, items, note: 'expect: canonical pass except SOURCES.md fail/flaky rows (counted either way); wrong fail' })
  }
  return out
}

export async function benchNative (): Promise<string> {
  if (!nativeCorpusAvailable()) return 'native bench: no ../shared/eval/code corpus'
  const concurrency = availableParallelism()
  const out: string[] = [`Concurrency ${concurrency} (the default pool, CODE_NATIVE_SLOTS = cores) for ours, bare and HTTP alike.`]
  // one service for every set (started first, before the machine is busy): each set's first HTTP pass is cold
  const svcCache = mkdtempSync(join(tmpdir(), 'rv-bench-svc-'))
  const svc = await startService({ CODE_CACHE_DIR: svcCache, CODE_NATIVE_UID_BASE: '67000', CODE_CHECKER_UID_BASE: '71000', CODE_UID_BASE: '61500', EMBEDDED_WORKER: 'false' })
  try {
    for (const set of sets()) {
      const t = await benchSet(set, concurrency, svc.url)
      console.error(t) // partial results survive a bench cut short
      out.push(t)
    }
  } finally {
    await svc.stop()
    rmSync(svcCache, { recursive: true, force: true })
  }
  return out.join('\n')
}

async function benchSet (set: ReturnType<typeof sets>[number], concurrency: number, url: string): Promise<string> {
  const out: string[] = []
  {
    const missing = toolchainMissing(set.language)
    if (missing !== null) return `\n### ${set.name}\nskipped: ${missing}`
    const cacheDir = mkdtempSync(join(tmpdir(), 'rv-bench-native-'))
    const bareDir = mkdtempSync(join(tmpdir(), 'rv-bench-bare-'))
    const v = createCodeVerifier({ pythonSlots: 1, native: { slots: concurrency, cacheDir, warm: process.env.CODE_NATIVE_WARM !== '0' } })
    try {
      const crates = set.language === 'rust' ? await ensureRustCrates(cacheDir) : set.language === 'go' ? await ensureGoCache(cacheDir, GO_ENV) : null
      // side by side: bare cold, ours cold, ours cached, bare warm (inside bare())
      const b = await bare(set.items, concurrency, bareDir, crates)
      const cold = await ours(v, set.items, concurrency)
      const warm = await ours(v, set.items, concurrency)
      const c = count(set.items, cold.results)
      const cw = count(set.items, warm.results)
      const compileCold = cold.results.filter(r => r.build !== undefined && !r.build.cached).map(r => r.build?.compile_ms ?? 0)
      const lookups = warm.results.filter(r => r.build?.cached === true).length
      const cpu = cold.results.flatMap(r => r.tests.map(t => (t as { time_ms?: number }).time_ms ?? NaN)).filter(x => Number.isFinite(x))
      const httpCold = await http(url, set.items, concurrency)
      const httpWarm = await http(url, set.items, concurrency)
      out.push(table(set.name, ['measure', 'value'], [
        ['programs', set.items.length],
        ['as expected (cold pass / cached pass)', `${c.ok} / ${cw.ok}`],
        ['not as expected', c.bad.length === 0 ? 'none' : c.bad.slice(0, 12).join(', ') + (c.bad.length > 12 ? ` … (${c.bad.length})` : '')],
        ['status error (cold)', c.errors],
        ['compile ms p50 / p95, cold', `${median(compileCold).toFixed(0)} / ${percentile(compileCold, 95).toFixed(0)}`],
        ['cached: programs found in the cache on the second pass', `${lookups} / ${set.items.length}`],
        ['CPU ms per test p50 / p95', `${median(cpu).toFixed(1)} / ${percentile(cpu, 95).toFixed(1)}`],
        ['bare compiles that failed (same argv, no jail)', b.failedCompiles],
        ['wall s: ours cold / bare cold (ratio)', `${(cold.ms / 1000).toFixed(1)} / ${(b.coldMs / 1000).toFixed(1)} (${(cold.ms / b.coldMs).toFixed(2)}x)`],
        ['wall s: ours cached / bare prebuilt (ratio)', `${(warm.ms / 1000).toFixed(1)} / ${(b.warmMs / 1000).toFixed(1)} (${(warm.ms / b.warmMs).toFixed(2)}x)`],
        ['completions/s via /v1/verify/code, cold / cached', `${httpCold.toFixed(2)} / ${httpWarm.toFixed(2)}`]
      ]) + `\n\n${set.note}`)
    } finally {
      await v.close()
      rmSync(cacheDir, { recursive: true, force: true })
      rmSync(bareDir, { recursive: true, force: true })
    }
  }
  return out.join('\n')
}

if (process.argv[1]?.endsWith('native.ts') === true) console.log(await benchNative())
