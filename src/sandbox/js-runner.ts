/**
 * One JavaScript job on one isolated-vm isolate: a fresh "candidate" context runs the solution, and for
 * script tests a second, fresh "test" context runs the test; the two exchange only JSON strings through
 * the candidate realm's dispatcher (sandboxes/javascript/c-realm.js, t-realm.js). No host object is
 * placed in either context. Results come back as RawCase records, compared on the host.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type ivm from 'isolated-vm'
import type { EffectiveLimits, JobForm, RawCase } from './types.ts'

const DIR = fileURLToPath(new URL('../../sandboxes/javascript/', import.meta.url))
let sources: { c: string, t: string } | undefined
function prelude (): { c: string, t: string } {
  if (!sources) {
    const assert = readFileSync(DIR + 'assert.js', 'utf8')
    sources = {
      c: assert + '\n' + readFileSync(DIR + 'c-realm.js', 'utf8'),
      t: assert + '\n' + readFileSync(DIR + 't-realm.js', 'utf8')
    }
  }
  return sources
}

/**
 * Compiled scripts kept per isolate: the two preludes, and test scripts (a GRPO group sends the same tests
 * for all its completions). A Script holds no state of a run; each run gets fresh contexts.
 */
const compiled = new WeakMap<ivm.Isolate, Map<string, ivm.Script>>()
const MAX_CACHED = 64

async function compileCached (iso: ivm.Isolate, source: string, filename: string): Promise<ivm.Script> {
  let cache = compiled.get(iso)
  if (!cache) { cache = new Map(); compiled.set(iso, cache) }
  const key = filename + '\0' + source
  const hit = cache.get(key)
  if (hit) return hit
  const script = await iso.compileScript(source, { filename })
  if (cache.size >= MAX_CACHED) {
    const [oldKey, old] = cache.entries().next().value as [string, ivm.Script]
    if (!oldKey.startsWith('<isolated-vm')) { cache.delete(oldKey); old.release() }
  }
  cache.set(key, script)
  return script
}

export interface JsJob {
  form: JobForm
  code: string
  function?: string
  /** call form: JSON text of each case's argument array. */
  argsJson?: string[]
  stdins?: string[]
  script?: string
  limits: EffectiveLimits
}

export interface JsJobOutcome {
  cases: RawCase[]
  testError?: string
  /** the isolate must be replaced (memory limit hit, or it was disposed). */
  isolateLost: boolean
}

/** Classify an error thrown out of isolated-vm into a verdict. */
function classify (err: unknown, iso: ivm.Isolate): { v: string, error: string } {
  const e = err as { message?: string, name?: string }
  const msg = String(e?.message ?? err)
  if (iso.isDisposed || /memory limit|disposed/i.test(msg)) return { v: 'memory_limit', error: msg.slice(0, 300) }
  if (/Script execution timed out/i.test(msg)) return { v: 'timeout', error: '' }
  if (/output limit exceeded/.test(msg)) return { v: 'output_limit', error: '' }
  if (e?.name === 'AssertionError' || /^AssertionError/.test(msg)) return { v: 'wrong_answer', error: msg.slice(0, 500) }
  return { v: 'runtime_error', error: `${e?.name ?? 'Error'}: ${msg}`.slice(0, 500) }
}

/** Identifiers a test may take from the solution (all word-like tokens; the candidate realm filters). */
function identifiers (src: string): string[] {
  return [...new Set(src.match(/[A-Za-z_$][A-Za-z0-9_$]*/g) ?? [])].slice(0, 5000)
}

async function candidateContext (iso: ivm.Isolate, job: JsJob, stdin?: string): Promise<{ ctx: ivm.Context, entry: ivm.Reference<(...a: string[]) => string>, load: RawCase | null }> {
  const ctx = await iso.createContext()
  const cPrelude = await compileCached(iso, prelude().c, '<isolated-vm c-realm>')
  const entry = await cPrelude.run(ctx, { reference: true, timeout: 1000 }) as ivm.Reference<(...a: string[]) => string>
  await entry.apply(undefined, ['limit', String(job.limits.output_bytes)], { timeout: 100 })
  if (stdin !== undefined) await entry.apply(undefined, ['stdin', stdin], { timeout: 100 })
  let script: ivm.Script
  try {
    script = await iso.compileScript(job.code, { filename: 'solution.js' })
  } catch (err) {
    return { ctx, entry, load: { v: 'compile_error', error: String((err as Error).message).slice(0, 500) } }
  }
  try {
    await script.run(ctx, { timeout: job.limits.time_ms })
    if (stdin !== undefined) await entry.apply(undefined, ['drain'], { timeout: job.limits.time_ms })
  } catch (err) {
    const c = classify(err, iso)
    const exit = /__rv_exit:(-?\d+)/.exec(c.error)
    if (exit && stdin !== undefined && exit[1] === '0') return { ctx, entry, load: null }
    return { ctx, entry, load: { v: c.v === 'wrong_answer' ? 'runtime_error' : c.v, error: c.error } }
  } finally {
    script.release()
  }
  return { ctx, entry, load: null }
}

async function output (entry: ivm.Reference<(...a: string[]) => string>): Promise<{ text: string, overflow: boolean }> {
  return JSON.parse(await entry.apply(undefined, ['output'], { timeout: 1000, result: { copy: true } }) as string)
}

/**
 * isolated-vm reports a promise rejection the solution left unhandled (an `import()` does that) on the
 * isolate's next call: settle it here, inside this job, so it can never reach another job or the host.
 * A job that left one behind gets its isolate replaced.
 */
async function settle (ctx: ivm.Context | undefined): Promise<boolean> {
  if (!ctx) return true
  try {
    await ctx.eval('0', { timeout: 100 })
    return true
  } catch {
    return false
  }
}

export async function runJsJob (iso: ivm.Isolate, job: JsJob): Promise<JsJobOutcome> {
  const cases: RawCase[] = []
  const contexts: ivm.Context[] = []
  const refs: Array<ivm.Reference<unknown>> = []
  try {
    if (job.form === 'stdio') {
      for (const stdin of job.stdins ?? []) {
        const { ctx, entry, load } = await candidateContext(iso, job, stdin)
        contexts.push(ctx)
        refs.push(entry)
        const out = iso.isDisposed ? { text: '', overflow: false } : await output(entry)
        if (out.overflow) cases.push({ v: 'output_limit' })
        else cases.push(load ?? { v: 'ok', stdout: out.text })
        if (iso.isDisposed) return { cases, isolateLost: true }
      }
      return { cases, isolateLost: false }
    }
    const { ctx, entry, load } = await candidateContext(iso, job)
    contexts.push(ctx)
    refs.push(entry)
    const n = job.form === 'call' ? (job.argsJson ?? []).length : 1
    if (load) return { cases: new Array<RawCase>(n).fill(load), isolateLost: iso.isDisposed }
    if (job.form === 'call') {
      for (const args of job.argsJson ?? []) {
        const t0 = performance.now()
        try {
          const text = await entry.apply(undefined, ['call', job.function ?? '', args], { timeout: job.limits.time_ms, result: { copy: true } }) as string
          if (text.length > job.limits.output_bytes) { cases.push({ v: 'output_limit' }); continue }
          const value = JSON.parse(text) as unknown
          const thrown = (value as { $throw?: [string, string] } | null)?.$throw
          if (thrown) cases.push({ v: /output limit/.test(thrown[1]) ? 'output_limit' : 'runtime_error', error: `${thrown[0]}: ${thrown[1]}`.slice(0, 500) })
          else cases.push({ v: 'ok', value, ms: Math.round((performance.now() - t0) * 1000) / 1000 })
        } catch (err) {
          cases.push(classify(err, iso))
          if (iso.isDisposed) break
        }
      }
      return { cases, isolateLost: iso.isDisposed }
    }
    let test: ivm.Script
    try {
      test = await compileCached(iso, job.script ?? '', 'test.js')
    } catch (err) {
      return { cases, testError: String((err as Error).message), isolateLost: false }
    }
    const tctx = await iso.createContext()
    contexts.push(tctx)
    await tctx.global.set('__rv_c', entry.derefInto())
    const tPrelude = await compileCached(iso, prelude().t, '<isolated-vm t-realm>')
    const bind = await tPrelude.run(tctx, { reference: true, timeout: 1000 }) as ivm.Reference<(names: string) => string>
    try {
      const kinds = await entry.apply(undefined, ['names', JSON.stringify(identifiers(job.script ?? ''))], { timeout: job.limits.time_ms, result: { copy: true } }) as string
      await bind.apply(undefined, [kinds], { timeout: job.limits.time_ms })
      await test.run(tctx, { timeout: job.limits.time_ms })
      cases.push({ v: 'passed' })
    } catch (err) {
      cases.push(classify(err, iso))
    } finally {
      bind.release()
    }
    return { cases, isolateLost: iso.isDisposed }
  } finally {
    if (!iso.isDisposed && !await settle(contexts[0])) iso.dispose()
    for (const r of refs) { try { r.release() } catch { /* isolate gone */ } }
    for (const c of contexts) { try { c.release() } catch { /* isolate gone */ } }
  }
}
