/**
 * JavaScript part of the code bench: HumanEval-X JS (canonical and wrong programs) through the code verifier
 * (sandbox processes, one isolated-vm isolate each) and through the service's /v1/verify/code, and the
 * cost per job against an in-process floor measured in the same run: a bare isolated-vm isolate in this
 * process running solution + test in one fresh context (no process boundary, no second realm, no watchdog).
 * Standalone: node --import tsx bench/code-js.ts [rounds]   ·   from bench/code.ts: benchJavascript()
 */
import { createRequire } from 'node:module'
import { readdirSync, readFileSync } from 'node:fs'
import type ivm from 'isolated-vm'
import type { CodeVerifier } from '../src/rewards/code/api.ts'
import { createCodeVerifier } from '../src/rewards/code/verifier.ts'
import { humanevalJs, humanevalJsWrong, type CorpusItem } from '../test/sandbox/corpus.ts'
import { loadExploits } from '../test/sandbox/exploits.ts'
import { median, startService } from './lib.ts'

const require = createRequire(import.meta.url)

async function pool<T> (items: T[], concurrency: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++] as T)
  }))
}

/** Median ms per job, one job in flight. */
async function perJob (items: CorpusItem[], run: (it: CorpusItem) => Promise<unknown>): Promise<number> {
  const ms: number[] = []
  for (const it of items) {
    const t0 = performance.now()
    await run(it)
    ms.push(performance.now() - t0)
  }
  return median(ms)
}

/** The floor: solution and test in one fresh context of an isolate in this process, console.assert throwing. */
function floorRunner (): { run: (it: CorpusItem) => Promise<boolean>, close: () => void } {
  const lib = require('isolated-vm') as typeof ivm
  const iso = new lib.Isolate({ memoryLimit: 128 })
  const pre = 'globalThis.console = { log () {}, assert (c) { if (!c) throw new Error("assert") } }; globalThis.require = () => { throw new Error("no") };\n'
  return {
    run: async it => {
      const t = it.input.tests
      const ctx = await iso.createContext()
      try {
        await ctx.eval(pre + it.input.code + '\n' + (t.type === 'script' ? t.script : ''), { timeout: 5000 })
        return true
      } catch { return false } finally { ctx.release() }
    },
    close: () => { iso.dispose() }
  }
}

/** RSS of a process and all its descendants (the service and its sandbox processes), in MB. */
function treeRssMb (root: number): number {
  const parent = new Map<number, number>()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try { const st = readFileSync(`/proc/${d}/stat`, 'utf8'); parent.set(Number(d), Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1])) } catch {}
  }
  const inTree = (p: number): boolean => { for (let q: number | undefined = p, n = 0; q !== undefined && q > 1 && n < 64; q = parent.get(q), n++) if (q === root) return true; return false }
  let kb = 0
  for (const p of parent.keys()) {
    if (!inTree(p)) continue
    try { kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) } catch {}
  }
  return kb / 1024
}

/** Every JavaScript exploit back to back through the service: rewards, RSS of the service's process tree, honest latency before/after. */
async function campaign (url: string, rootPid: number, honest: CorpusItem[]): Promise<string[]> {
  const lat = async (): Promise<number> => await perJob(honest, async it => await httpPass(url, it))
  const before = await lat()
  const rss0 = treeRssMb(rootPid)
  const xs = loadExploits('javascript')
  let zero = 0
  let nul = 0
  const t0 = performance.now()
  for (const x of xs) {
    const res = await fetch(`${url}/v1/verify/code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'javascript', code: x.code, tests: x.tests, limits: { time_ms: 1500 } }) })
    const r = await res.json() as { reward: number | null }
    if (r.reward === 0) zero++
    else if (r.reward === null) nul++
  }
  const secs = (performance.now() - t0) / 1000
  const after = await lat()
  const rss1 = treeRssMb(rootPid)
  return [
    `| hostile campaign: ${xs.length} JavaScript exploits back to back through the service (time_ms 1500) | ${secs.toFixed(1)} s | ${zero} scored 0, ${nul} null, ${xs.length - zero - nul} other |`,
    `| RSS of the service and its processes, before / after the campaign | ${rss0.toFixed(0)} / ${rss1.toFixed(0)} MB (${(rss1 - rss0).toFixed(0)} MB) | |`,
    `| a correct solution through the service, median before / after the campaign | ${before.toFixed(2)} / ${after.toFixed(2)} ms (${(after / before).toFixed(2)}x) | |`
  ]
}

async function httpPass (url: string, it: CorpusItem): Promise<boolean> {
  const res = await fetch(`${url}/v1/verify/code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(it.input) })
  return (await res.json() as { reward: number | null }).reward === 1
}

export async function benchJavascript (v: CodeVerifier, url: string, rounds = 3, inFlight = 32, servicePid?: number): Promise<string[]> {
  const js = humanevalJs()
  const wrong = humanevalJsWrong()
  const floor = floorRunner()
  try {
    const canon = await Promise.all(js.map(async it => await v.verify(it.input)))
    const bad = await Promise.all(wrong.map(async it => await v.verify(it.input)))
    const failedCanon = js.filter((_, i) => canon[i]?.reward !== 1).map(it => it.id.replace(/^\D+/, ''))
    let floorPassed = 0
    for (const it of js) if (await floor.run(it)) floorPassed++
    const viaVerifier: number[] = []
    const viaHttp: number[] = []
    const jobMs: number[] = []
    const floorMs: number[] = []
    let httpPassed = 0
    for (let r = 0; r < rounds; r++) {
      const batch = [...js, ...js, ...js]
      let t0 = performance.now()
      await Promise.all(batch.map(async it => await v.verify(it.input)))
      viaVerifier.push(batch.length / ((performance.now() - t0) / 1000))
      t0 = performance.now()
      let passed = 0
      await pool(batch, inFlight, async it => { if (await httpPass(url, it)) passed++ })
      viaHttp.push(batch.length / ((performance.now() - t0) / 1000))
      httpPassed = passed / 3
      // one job in flight, alternating the sandbox and the floor so both see the same machine
      jobMs.push(await perJob(js, async it => await v.verify(it.input)))
      floorMs.push(await perJob(js, async it => await floor.run(it)))
    }
    const job = median(jobMs)
    const fl = median(floorMs)
    const hostile = servicePid === undefined ? [] : await campaign(url, servicePid, js.slice(0, 40))
    return [
      '',
      `HumanEval-X JS, ${rounds} rounds (medians); sandbox: a process per slot, isolated-vm inside; floor: an isolate in this process, solution + test in one context`,
      '',
      '| measure | value | passed |',
      '| --- | --- | --- |',
      `| canonical programs through the verifier (161 expected: 112, 155, 162 fail upstream) | | ${canon.filter(r => r.reward === 1).length}/164 (failing: ${failedCanon.join(', ')}) |`,
      `| wrong programs through the verifier (all must fail) | | ${bad.filter(r => r.reward !== 1).length}/164 fail, ${bad.filter(r => r.status === 'error').length} status error |`,
      `| canonical programs, in-process floor | | ${floorPassed}/164 |`,
      `| HumanEval-X JS through the verifier, all in flight (3 x 164) | ${median(viaVerifier).toFixed(0)} completions/s | |`,
      `| HumanEval-X JS through the service (POST /v1/verify/code, ${inFlight} in flight; target >= 300/s) | ${median(viaHttp).toFixed(0)} completions/s | ${httpPassed}/164 |`,
      `| one job at a time, sandbox process (median per job) | ${job.toFixed(2)} ms | |`,
      `| one job at a time, in-process floor (median per job) | ${fl.toFixed(2)} ms | |`,
      `| cost per job of the sandbox (process boundary, two realms, watchdog) over the floor | ${(job - fl).toFixed(2)} ms (${(job / fl).toFixed(2)}x) | |`,
      ...hostile
    ]
  } finally {
    floor.close()
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const v = createCodeVerifier()
  const svc = await startService({ EMBEDDED_WORKER: 'false' })
  try {
    await v.warm().catch(() => {})
    console.log((await benchJavascript(v, svc.url, Number(process.argv[2] ?? 3), 32, svc.child.pid)).join('\n'))
  } finally {
    await svc.stop()
    await v.close()
  }
}
