/**
 * JavaScript part of the code bench: HumanEval-X JS (canonical and wrong programs) through the code verifier
 * (sandbox processes, one isolated-vm isolate each) and through the service's /v1/verify/code, and the
 * cost per job of the separation, measured one job at a time in the same run, job by job alternating:
 * - floor: a bare isolate in this process running solution + test in one fresh context;
 * - two realms: the sandbox's own work in this process (solution context with its prelude, name lookup,
 *   test context with its prelude, binding, test), no process boundary, no watchdog;
 * - sandbox: the verifier's job in a sandbox process (IPC, step messages, watchdogs, result mapping).
 * The service is driven by a keep-alive node:http client (fetch costs this process 2-3x more CPU per
 * request, and the client shares the machine's cores with the service).
 * Standalone: node --import tsx bench/code-js.ts [rounds]   ·   from bench/code.ts: benchJavascript()
 */
import { createRequire } from 'node:module'
import { readdirSync, readFileSync } from 'node:fs'
import http from 'node:http'
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

/** Median ms per job of each runner, one job in flight, the runners alternating job by job (same machine state). */
async function perJob (items: CorpusItem[], runs: Array<(it: CorpusItem) => Promise<unknown>>): Promise<number[]> {
  const ms: number[][] = runs.map(() => [])
  for (const it of items) {
    for (const [k, run] of runs.entries()) {
      const t0 = performance.now()
      await run(it)
      ms[k]?.push(performance.now() - t0)
    }
  }
  return ms.map(median)
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

const IDENT = /[A-Za-z_$][A-Za-z0-9_$]*/g

/**
 * The two realms without the process: what worker.js does for a script test (fresh solution context with
 * the c-realm prelude, the solution, the name lookup, a fresh test context with the t-realm prelude, the
 * binding, the test), synchronously in an isolate of this process.
 */
function twoRealmRunner (): { run: (it: CorpusItem) => Promise<boolean>, close: () => void } {
  const lib = require('isolated-vm') as typeof ivm
  const read = (f: string): string => readFileSync(new URL(`../sandboxes/javascript/${f}`, import.meta.url), 'utf8')
  const assertJs = read('assert.js')
  const iso = new lib.Isolate({ memoryLimit: 128 })
  const cPrelude = iso.compileScriptSync(assertJs + '\n' + read('c-realm.js'))
  const tPrelude = iso.compileScriptSync(assertJs + '\n' + read('t-realm.js'))
  const names = (src: string): string => JSON.stringify([...new Set(src.match(IDENT) ?? [])])
  return {
    run: async it => {
      const t = it.input.tests
      const script = t.type === 'script' ? t.script : ''
      const ctx = iso.createContextSync()
      const tctx = iso.createContextSync()
      try {
        const entry = cPrelude.runSync(ctx, { reference: true, timeout: 1000 })
        iso.compileScriptSync(it.input.code).runSync(ctx, { timeout: 5000 })
        const kinds = entry.applySync(undefined, ['names', names(it.input.code)], { timeout: 5000, result: { copy: true } }) as string
        tctx.global.setSync('__rv_c', entry.derefInto())
        const bind = tPrelude.runSync(tctx, { reference: true, timeout: 1000 })
        bind.applySync(undefined, [kinds, names(script)], { timeout: 5000 })
        iso.compileScriptSync(script).runSync(tctx, { timeout: 5000 })
        return true
      } catch { return false } finally { tctx.release(); ctx.release() }
    },
    close: () => { iso.dispose() }
  }
}

/** Parent of every process, from /proc. */
function parents (): Map<number, number> {
  const parent = new Map<number, number>()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try { const st = readFileSync(`/proc/${d}/stat`, 'utf8'); parent.set(Number(d), Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1])) } catch {}
  }
  return parent
}

/** Processes below root (root excluded). */
function descendants (root: number): number[] {
  const parent = parents()
  const inTree = (p: number): boolean => { for (let q = parent.get(p), n = 0; q !== undefined && q > 1 && n < 64; q = parent.get(q), n++) if (q === root) return true; return false }
  return [...parent.keys()].filter(inTree)
}

/** RSS of a process and all its descendants (the service and its sandbox processes), in MB. */
function treeRssMb (root: number): number {
  let kb = 0
  for (const p of [root, ...descendants(root)]) {
    try { kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) } catch {}
  }
  return kb / 1024
}

/** CPU ms (user + system) of a process, 0 when gone. */
function cpuMs (pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const x = f.slice(f.lastIndexOf(')') + 2).split(' ')
    return (Number(x[11]) + Number(x[12])) * 10
  } catch { return 0 }
}

/** CPU ms of the service's own process, of its sandbox processes (those alive at both ends), and of this client. */
function cpuSplit (servicePid: number, kids: number[]): { service: number, sandboxes: number, client: number } {
  const c = process.cpuUsage()
  return { service: cpuMs(servicePid), sandboxes: kids.reduce((n, p) => n + cpuMs(p), 0), client: (c.user + c.system) / 1000 }
}

/** Every JavaScript exploit back to back through the service: rewards, RSS of the service's process tree, honest latency before/after. */
async function campaign (url: string, rootPid: number, honest: CorpusItem[]): Promise<string[]> {
  const lat = async (): Promise<number> => (await perJob(honest, [async it => await httpPass(url, it)]))[0] ?? NaN
  const before = await lat()
  const rss0 = treeRssMb(rootPid)
  const xs = loadExploits('javascript')
  let zero = 0
  let nul = 0
  const t0 = performance.now()
  for (const x of xs) {
    const reward = await verifyHttp(url, JSON.stringify({ language: 'javascript', code: x.code, tests: x.tests, limits: { time_ms: 1500 } }))
    if (reward === 0) zero++
    else if (reward === null) nul++
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

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })

/** POST /v1/verify/code over a keep-alive connection; the reply's reward. */
async function verifyHttp (url: string, body: string): Promise<number | null> {
  const u = new URL('/v1/verify/code', url)
  return await new Promise((resolve, reject) => {
    const req = http.request(u, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        try { resolve((JSON.parse(Buffer.concat(chunks).toString()) as { reward: number | null }).reward) } catch (err) { reject(err) }
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function httpPass (url: string, it: CorpusItem): Promise<boolean> {
  return await verifyHttp(url, JSON.stringify(it.input)) === 1
}

export async function benchJavascript (v: CodeVerifier, url: string, rounds = 3, inFlight = 32, servicePid?: number): Promise<string[]> {
  const js = humanevalJs()
  const wrong = humanevalJsWrong()
  const floor = floorRunner()
  const realms = twoRealmRunner()
  try {
    const canon = await Promise.all(js.map(async it => await v.verify(it.input)))
    const bad = await Promise.all(wrong.map(async it => await v.verify(it.input)))
    const failedCanon = js.filter((_, i) => canon[i]?.reward !== 1).map(it => it.id.replace(/^\D+/, ''))
    let floorPassed = 0
    let realmsPassed = 0
    for (const it of js) {
      if (await floor.run(it)) floorPassed++
      if (await realms.run(it)) realmsPassed++
    }
    const viaVerifier: number[] = []
    const viaHttp: number[] = []
    const jobMs: number[][] = []
    const cpu = { service: [] as number[], sandboxes: [] as number[], client: [] as number[] }
    let httpPassed = 0
    for (let r = 0; r < rounds; r++) {
      const batch = [...js, ...js, ...js]
      let t0 = performance.now()
      await Promise.all(batch.map(async it => await v.verify(it.input)))
      viaVerifier.push(batch.length / ((performance.now() - t0) / 1000))
      const kids = servicePid === undefined ? [] : descendants(servicePid)
      const c0 = servicePid === undefined ? undefined : cpuSplit(servicePid, kids)
      t0 = performance.now()
      let passed = 0
      await pool(batch, inFlight, async it => { if (await httpPass(url, it)) passed++ })
      viaHttp.push(batch.length / ((performance.now() - t0) / 1000))
      if (c0 !== undefined && servicePid !== undefined) {
        const c1 = cpuSplit(servicePid, kids)
        for (const k of ['service', 'sandboxes', 'client'] as const) cpu[k].push((c1[k] - c0[k]) / batch.length)
      }
      httpPassed = passed / 3
      // one job in flight, the sandbox, the two realms in-process and the floor alternating job by job
      jobMs.push(await perJob(js, [async it => await v.verify(it.input), async it => await realms.run(it), async it => await floor.run(it)]))
    }
    const [job, two, fl] = [0, 1, 2].map(k => median(jobMs.map(m => m[k] ?? NaN))) as [number, number, number]
    const hostile = servicePid === undefined ? [] : await campaign(url, servicePid, js.slice(0, 40))
    const perReq = servicePid === undefined
      ? []
      : [`| CPU per completion through the service: service process / its sandbox processes / this client (node:http) | ${median(cpu.service).toFixed(2)} / ${median(cpu.sandboxes).toFixed(2)} / ${median(cpu.client).toFixed(2)} ms | |`]
    return [
      '',
      `HumanEval-X JS, ${rounds} rounds (medians); sandbox: a process per slot, isolated-vm inside, jobs pipelined 2 per process; floor: an isolate in this process, solution + test in one context`,
      '',
      '| measure | value | passed |',
      '| --- | --- | --- |',
      `| canonical programs through the verifier (161 expected: 112, 155, 162 fail upstream) | | ${canon.filter(r => r.reward === 1).length}/164 (failing: ${failedCanon.join(', ')}) |`,
      `| wrong programs through the verifier (all must fail) | | ${bad.filter(r => r.reward !== 1).length}/164 fail, ${bad.filter(r => r.status === 'error').length} status error |`,
      `| canonical programs, in-process floor / two realms in-process | | ${floorPassed}/164, ${realmsPassed}/164 |`,
      `| HumanEval-X JS through the verifier, all in flight (3 x 164) | ${median(viaVerifier).toFixed(0)} completions/s | |`,
      `| HumanEval-X JS through the service (POST /v1/verify/code, ${inFlight} in flight; target >= 300/s) | ${median(viaHttp).toFixed(0)} completions/s (${(median(viaHttp) / median(viaVerifier)).toFixed(2)}x the verifier) | ${httpPassed}/164 |`,
      ...perReq,
      `| one job at a time, sandbox process (median per job) | ${job.toFixed(2)} ms | |`,
      `| one job at a time, two realms in this process (median per job) | ${two.toFixed(2)} ms | |`,
      `| one job at a time, in-process floor (median per job) | ${fl.toFixed(2)} ms | |`,
      `| separation cost per job: second realm (context + preludes, name lookup, binding, JSON dispatch) | ${(two - fl).toFixed(2)} ms | |`,
      `| separation cost per job: process boundary (IPC, step messages) and watchdogs | ${(job - two).toFixed(2)} ms | |`,
      `| cost per job of the sandbox over the floor | ${(job - fl).toFixed(2)} ms (${(job / fl).toFixed(2)}x) | |`,
      ...hostile
    ]
  } finally {
    floor.close()
    realms.close()
    agent.destroy()
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
