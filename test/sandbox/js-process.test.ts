/**
 * The JavaScript sandbox processes (src/sandbox/js-pool.ts, js-runner.ts, sandboxes/javascript/worker.js):
 * a crashed process costs one job, a dead pool shows in /readyz, memory is given back after hostile
 * programs, a client that goes away frees its slot, and a 1,000-case stdio test passes.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import { JsPool } from '../../src/sandbox/js-pool.ts'
import { processRss } from '../../src/sandbox/js-runner.ts'
import { JAVASCRIPT_CAPS, clampLimits } from '../../src/sandbox/limits.ts'
import { runJavascript } from '../../src/rewards/code/js-run.ts'
import type { CodeCheckInput, CodeCheckResult } from '../../src/rewards/code/api.ts'
import { createMathVerifier } from '../../src/rewards/math/index.ts'
import { healthRoutes } from '../../src/http/routes/health.ts'
import type { Services } from '../../src/http/services.ts'
import { loadConfig } from '../../src/config/load.ts'
import { buildApp } from '../../src/app.ts'
import { loadExploits } from './exploits.ts'
import { readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))))
/** Uid, gid (real, effective, saved, fs) and supplementary groups of a process, from /proc. */
function ids (pid: number): { uid: number[], gid: number[], groups: string } {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (k: string): string => new RegExp(`^${k}:[ \\t]*(.*)$`, 'm').exec(st)?.[1]?.trim() ?? ''
  return { uid: field('Uid').split(/\s+/).map(Number), gid: field('Gid').split(/\s+/).map(Number), groups: field('Groups') }
}

const honest: CodeCheckInput = { language: 'javascript', code: 'function g (x) { return x * 2 }', tests: { type: 'call', function: 'g', cases: [{ args: [21], expected: 42 }] } }
const loop = (cases: number, timeMs: number): CodeCheckInput => ({
  language: 'javascript',
  code: 'function g (x) { while (true) {} }',
  tests: { type: 'call', function: 'g', cases: Array.from({ length: cases }, () => ({ args: [1], expected: 1 })) },
  limits: { time_ms: timeMs }
})
const check = async (pool: JsPool, input: CodeCheckInput, signal?: AbortSignal): Promise<CodeCheckResult> =>
  await runJavascript(pool, input, clampLimits(JAVASCRIPT_CAPS, input.limits), signal)
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
async function until (cond: () => boolean, ms: number): Promise<boolean> {
  for (const t0 = performance.now(); performance.now() - t0 < ms; await sleep(20)) if (cond()) return true
  return cond()
}

describe('javascript sandbox processes', () => {
  let pool: JsPool
  before(async () => { pool = new JsPool({ isolates: 1 }); await pool.warm() })
  after(() => { pool.close() })

  test('a process that dies in the middle of a job (a native abort) costs that job, not the service', async () => {
    const [pid] = pool.pids()
    assert.ok(pid)
    const running = check(pool, loop(1, 5000))
    await sleep(300)
    process.kill(pid, 'SIGABRT') // what V8's abort does to the process
    const r = await running
    assert.equal(r.status, 'ok', JSON.stringify(r))
    assert.equal(r.reward, 0)
    assert.equal(r.tests[0]?.verdict, 'runtime_error')
    const next = await check(pool, honest)
    assert.equal(next.reward, 1, JSON.stringify(next))
    assert.notEqual(pool.pids()[0], pid)
    assert.equal(pool.ready(), null)
  })

  test('CPU time decides: a loop is stopped at time_ms of CPU and charged timeout; the next case still runs', async () => {
    const r = await check(pool, {
      language: 'javascript',
      code: 'function g (x) { if (x === 1) while (true) {} return x }',
      tests: { type: 'call', function: 'g', cases: [{ args: [1], expected: 1 }, { args: [2], expected: 2 }] },
      limits: { time_ms: 200 }
    })
    assert.deepEqual(r.tests.map(t => t.verdict), ['timeout', 'passed'])
  })

  test('native code that ignores termination: the host kills the process at its CPU time, the later cases run in a fresh process', async () => {
    const [pid] = pool.pids()
    const r = await check(pool, {
      language: 'javascript',
      code: 'function g (x) { return x === 1 ? Array.prototype.indexOf.call({ length: 2 ** 53 }, 7) : x }',
      tests: { type: 'call', function: 'g', cases: [{ args: [2], expected: 2 }, { args: [1], expected: 1 }, { args: [3], expected: 3 }] },
      limits: { time_ms: 200 }
    })
    assert.deepEqual(r.tests.map(t => t.verdict), ['passed', 'timeout', 'passed'])
    assert.notEqual(pool.pids()[0], pid)
  })

  test('a client that goes away stops its job and frees the slot at once', async () => {
    const [pid] = pool.pids()
    const ac = new AbortController()
    const t0 = performance.now()
    const running = check(pool, loop(20, 5000), ac.signal)
    await sleep(200)
    ac.abort()
    const r = await running
    assert.equal(r.status, 'error')
    assert.equal(r.reward, null)
    assert.ok(performance.now() - t0 < 3000)
    assert.ok(await until(() => pool.pids().length === 1 && pool.pids()[0] !== pid, 10_000), 'the busy process was not replaced')
    const next = await check(pool, honest)
    assert.equal(next.reward, 1)
  })

  test('a job sent ahead behind one whose process is killed runs in the next process; one given up before it began is skipped', async () => {
    const [pid] = pool.pids()
    const native: CodeCheckInput = {
      language: 'javascript',
      code: 'function g (x) { return Array.prototype.indexOf.call({ length: 2 ** 53 }, 7) }',
      tests: { type: 'call', function: 'g', cases: [{ args: [1], expected: 1 }] },
      limits: { time_ms: 200 }
    }
    const killed = check(pool, native)
    const behind = check(pool, honest) // sent ahead to the same process (one slot, pipeline 2)
    assert.equal((await killed).tests[0]?.verdict, 'timeout')
    assert.equal((await behind).reward, 1, 'the job queued behind the killed one did not run again')
    assert.notEqual(pool.pids()[0], pid)

    const [pid2] = pool.pids()
    const ac = new AbortController()
    const running = check(pool, loop(1, 300))
    const gone = check(pool, loop(20, 5000), ac.signal) // queued behind, in the process
    await sleep(50)
    ac.abort()
    const g = await gone
    assert.equal(g.reward, null)
    assert.equal((await running).tests[0]?.verdict, 'timeout')
    const t0 = performance.now()
    assert.equal((await check(pool, honest)).reward, 1)
    assert.ok(performance.now() - t0 < 2000, 'the skipped job ran')
    assert.equal(pool.pids()[0], pid2, 'giving up a job that had not begun killed its process')
  })

  test('a job sent ahead behind a slow one moves to a process that went idle (no head-of-line blocking)', async () => {
    const two = new JsPool({ isolates: 2 })
    try {
      await two.warm()
      const order: string[] = []
      const slow = check(two, loop(1, 5000)).then(r => { order.push('slow'); return r })
      const quick = check(two, loop(1, 200)).then(r => { order.push('quick'); return r })
      const behind = check(two, honest).then(r => { order.push('honest'); return r }) // sent ahead behind the slow job
      assert.equal((await behind).reward, 1)
      assert.equal((await quick).tests[0]?.verdict, 'timeout')
      assert.equal((await slow).tests[0]?.verdict, 'timeout')
      assert.deepEqual(order, ['quick', 'honest', 'slow'])
    } finally { two.close() }
  })

  test('as root, every sandbox process runs as its own unprivileged uid, in no group, with no write access to the service', { skip: process.getuid?.() !== 0 && 'not root' }, async () => {
    const two = new JsPool({ isolates: 2 })
    try {
      await two.warm()
      const pids = two.pids()
      assert.equal(pids.length, 2)
      const uids = pids.map(p => ids(p))
      for (const [k, id] of uids.entries()) {
        const want = two.uidOf(k) ?? 0
        assert.ok(want >= 1000, `slot ${k} uid ${want}`)
        assert.ok(id.uid.every(u => u !== 0) && id.gid.every(g => g !== 0), JSON.stringify(id))
        assert.equal(id.groups, '', 'supplementary groups kept')
      }
      assert.notEqual(uids[0]?.uid[0], uids[1]?.uid[0], 'two slots share a uid')
      assert.equal((await check(two, honest)).reward, 1)
      // what that uid may write: nothing of the service's checkout, its sandbox files, or the uid locks
      const uid = uids[0]?.uid[0] ?? 0
      for (const target of [`${REPO}/PWNED`, `${REPO}/sandboxes/javascript/PWNED`, `${REPO}/sandboxes/javascript/worker.js`, '/run/reward-verifier/PWNED']) {
        const r = spawnSync(process.execPath, ['-e', `require('fs').appendFileSync(${JSON.stringify(target)}, '')`], { uid, gid: uid, env: {} })
        assert.notEqual(r.status, 0, `uid ${uid} could write ${target}`)
      }
    } finally { two.close() }
  })

  test('stdio with 1,000 cases: a correct program passes', async () => {
    const cases = Array.from({ length: 1000 }, (_, i) => ({ stdin: `${i} ${i * 3}\n`, stdout: String(i * 4) }))
    const r = await check(pool, {
      language: 'javascript',
      code: "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(' ').map(Number)\nconsole.log(a + b)",
      tests: { type: 'stdio', cases }
    })
    assert.equal(r.reward, 1, JSON.stringify(r.tests.find(t => t.verdict !== 'passed')))
  })

  test('memory: after WebAssembly, ArrayBuffer and heap bombs the RSS of the service and its sandbox processes is back within 100 MB', async () => {
    const rssAll = (): number => (processRss(process.pid) ?? 0) + pool.pids().reduce((n, p) => n + (processRss(p) ?? 0), 0)
    await check(pool, honest)
    const before = rssAll()
    const bombs = loadExploits('javascript').filter(x => /memory|arraybuffer/.test(x.name))
    assert.ok(bombs.length >= 3)
    for (let round = 0; round < 2; round++) {
      for (const x of bombs) {
        const r = await check(pool, { language: 'javascript', code: x.code, tests: x.tests })
        assert.equal(r.reward, 0, `${x.name}: ${JSON.stringify(r).slice(0, 300)}`)
        assert.notEqual(r.status, 'error', `${x.name}: ${r.reason ?? ''}`)
      }
    }
    assert.equal((await check(pool, honest)).reward, 1)
    const grown = (rssAll() - before) / 1048576
    assert.ok(grown < 100, `RSS grew by ${grown.toFixed(0)} MB`)
  })
})

describe('a dead JavaScript pool', () => {
  test('warm() rejects, ready() says why, jobs answer error (null), /readyz reports it', async (t) => {
    const pool = new JsPool({ isolates: 2, worker: '/nonexistent/worker.js' })
    t.after(() => { pool.close() })
    await assert.rejects(pool.warm(), /fail to start/)
    assert.match(pool.ready() ?? '', /fail to start/)
    const r = await check(pool, honest)
    assert.equal(r.status, 'error')
    assert.equal(r.reward, null)

    const math = createMathVerifier({ threads: 1, deadlineMs: 5000 })
    t.after(async () => { await math.close() })
    const code = { verify: async (input: CodeCheckInput) => await check(pool, input), warm: async () => { await pool.warm() }, close: async () => { pool.close() } }
    const app = Fastify()
    t.after(async () => { await app.close() })
    healthRoutes(app as never, { config: loadConfig({}), math, code } as unknown as Services)
    const res = await app.inject('/readyz')
    const body = res.json<{ status: string, checks: Record<string, string> }>()
    assert.notEqual(body.status, 'ready')
    assert.match(body.checks.sandboxes ?? '', /javascript sandbox processes fail to start/)
  })
})

describe('through the service', () => {
  test('a client that disconnects from /v1/verify/code cancels its JavaScript job (the one slot serves the next request)', async (t) => {
    const app = await buildApp({ config: loadConfig({ MATH_THREADS: '1', CODE_JS_ISOLATES: '1', EMBEDDED_WORKER: 'false' }), logger: false })
    t.after(async () => { await app.close() })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/verify/code`
    const post = async (body: unknown, signal?: AbortSignal): Promise<Response> =>
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal })
    const warm = await (await post(honest)).json() as { reward: number }
    assert.equal(warm.reward, 1)
    const ac = new AbortController()
    const gone = post(loop(20, 5000), ac.signal) // 20 cases of 5 s: 100 s if nothing stops it
    await sleep(500)
    ac.abort()
    await assert.rejects(gone)
    const t0 = performance.now()
    const next = await (await post(honest)).json() as { reward: number }
    assert.equal(next.reward, 1)
    assert.ok(performance.now() - t0 < 10_000, `the next request waited ${(performance.now() - t0).toFixed(0)} ms`)
  })
})
