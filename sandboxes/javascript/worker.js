// worker.js: the JavaScript sandbox process. src/sandbox/js-runner.ts forks one per pool slot with V8 flags
// that remove WebAssembly, SharedArrayBuffer and Atomics from every isolate, and an empty environment.
// The solution runs in an isolated-vm isolate inside this process; this process is killable, so a native
// abort or a loop that ignores V8's termination costs one job, not the service.
//
// IPC (JSON, parent <-> this process):
//   <- {t: 'job', id, job: {form, code, function?, argsJson?, stdins?, script?, limits}}, run in the order sent;
//      {t: 'skip', id}: answer that job (if not begun) with an empty done instead of running it
//   -> {t: 'ready'} once;  per job: {t: 'step', i, cpu_us, cases} before each step of solution code (i = case
//      index, -1 = loading the solution), then {t: 'done', cases, testError?} or
//      {t: 'host_slow', i} (the wall backstop fired before time_ms of CPU) or {t: 'fail', reason}.
// Every step runs under a CPU watchdog on this process's main thread: at time_ms of the isolate's CPU time
// (isolate.cpuTime) the isolate is disposed (verdict timeout) and a fresh one takes the next case; the wall
// backstop (time_ms * wall_factor + wall_extra_ms) does the same. A step that survives dispose (native code
// that ignores termination) is killed by the parent, which watches this process's CPU, wall time and RSS.
'use strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const ivm = require('isolated-vm')
const read = f => readFileSync(new URL(f, import.meta.url), 'utf8')
const ASSERT = read('./assert.js')
const C_PRELUDE = ASSERT + '\n' + read('./c-realm.js')
const T_PRELUDE = ASSERT + '\n' + read('./t-realm.js')
const IDENT = /[A-Za-z_$][A-Za-z0-9_$]*/g
const MAX_JOBS = 500
const POLL_MS = 5

const send = m => { process.send?.(m) }
/** Case results go out with the next step or done message (one message fewer per case). */
let pending = []
const caseOut = m => { pending.push(m) }
const flush = () => pending.splice(0)
const cpuUs = () => { const u = process.cpuUsage(); return u.user + u.system }
const clip = (s, n = 500) => String(s).slice(0, n)

/** The isolate of this process and what is compiled in it; replaced after a kill, a limit change or MAX_JOBS. */
let iso = null
let isoMb = 0
let isoJobs = 0
let scripts = new Map()
let spare = null
/** What the watchdog of the running step fired for (read by the catastrophic-error exit). */
let firing = null

function isolate (mb) {
  if (iso !== null && !iso.isDisposed && isoMb === mb && isoJobs < MAX_JOBS) return iso
  drop()
  // A catastrophic error (dispose could not stop native code) ends this process; the exit code says why.
  iso = new ivm.Isolate({ memoryLimit: mb, onCatastrophicError: () => process.exit(firing === 'cpu' ? 71 : firing === 'wall' ? 72 : 70) })
  isoMb = mb
  isoJobs = 0
  scripts = new Map()
  return iso
}
function drop () {
  if (iso !== null && !iso.isDisposed) { try { iso.dispose() } catch { /* gone */ } }
  iso = null
  spare = null
}
function compiled (source, filename) {
  const key = filename + '\0' + source
  let s = scripts.get(key)
  if (s === undefined) {
    s = iso.compileScriptSync(source, { filename })
    if (scripts.size >= 64) scripts.clear()
    scripts.set(key, s)
  }
  return s
}

/**
 * Runs fn (solution code) as step i under the watchdog. Returns {ok: value} or {v, error} with a verdict;
 * throws HostSlow when the wall backstop fired first (the parent answers the job with an error).
 */
class HostSlow extends Error {}
async function step (i, limits, fn) {
  send({ t: 'step', i, cpu_us: cpuUs(), cases: flush() })
  const cur = iso
  const limitNs = BigInt(limits.time_ms) * 1000000n
  const wallMs = limits.time_ms * limits.wall_factor + limits.wall_extra_ms
  const cpu0 = cur.cpuTime
  const t0 = performance.now()
  let fired = null
  const watch = setInterval(() => {
    if (cur.isDisposed) return
    const cpu = cur.cpuTime - cpu0
    if (cpu >= limitNs) fired = 'cpu'
    else if (performance.now() - t0 >= wallMs) fired = 'wall'
    else return
    firing = fired
    cur.dispose()
  }, POLL_MS)
  try {
    return { ok: await fn(wallMs + 1000) }
  } catch (err) {
    if (fired === 'cpu') return { v: 'timeout' }
    if (fired === 'wall') throw new HostSlow()
    const msg = clip(err?.message ?? err, 300)
    if (cur.isDisposed) return { v: 'memory_limit', error: msg }
    if (/Script execution timed out/.test(msg)) return { v: 'timeout' }
    if (/output limit exceeded/.test(msg)) return { v: 'output_limit' }
    if (err?.name === 'AssertionError' || /^AssertionError/.test(msg)) return { v: 'wrong_answer', error: msg }
    return { v: 'runtime_error', error: clip(`${err?.name ?? 'Error'}: ${msg}`) }
  } finally {
    clearInterval(watch)
    firing = null
  }
}

/**
 * A fresh candidate context with the solution loaded, as step i (-1: loading for call/script tests). For
 * stdio, the step also feeds stdin and reads the output back, so everything the solution can touch runs
 * under the watchdog.
 */
// Our own steps (no solution code has run in the context yet) use isolated-vm's synchronous calls: no
// thread hop. Steps that run solution code are asynchronous, so this thread's watchdog keeps running.
function prepare (job, stdin) {
  const ctx = iso.createContextSync()
  const entry = compiled(C_PRELUDE, '<c-realm>').runSync(ctx, { reference: true, timeout: 1000 })
  entry.applySync(undefined, ['limit', String(job.limits.output_bytes)], { timeout: 1000 })
  if (stdin !== undefined) entry.applySync(undefined, ['stdin', stdin], { timeout: 1000 })
  return { ctx, entry }
}
async function candidate (job, i, stdin) {
  let ctx, entry
  try {
    ({ ctx, entry } = prepare(job, stdin))
  } catch {
    // no solution code has run in this context yet: the isolate was full from before; start a fresh one
    drop()
    isolate(job.limits.memory_mb)
    ;({ ctx, entry } = prepare(job, stdin))
  }
  let code
  try {
    code = compiled(job.code, 'solution.js')
  } catch (err) {
    return { ctx, entry, load: { v: 'compile_error', error: clip(err?.message ?? err) } }
  }
  let out = null
  const r = await step(i, job.limits, async ms => {
    try {
      await code.run(ctx, { timeout: ms })
      if (stdin !== undefined) await entry.apply(undefined, ['drain'], { timeout: ms })
    } finally {
      if (stdin !== undefined && !iso.isDisposed) out = String(await entry.apply(undefined, ['output'], { timeout: ms, result: { copy: true } }))
    }
  })
  if (out !== null && out.startsWith('1')) return { ctx, entry, load: { v: 'output_limit' } }
  const stdout = out === null ? undefined : out.slice(1)
  if (!('v' in r)) return { ctx, entry, load: null, stdout }
  if (stdin !== undefined && out !== null && /__rv_exit:0\b/.test(r.error ?? '')) return { ctx, entry, load: null, stdout }
  return { ctx, entry, load: { ...r, v: r.v === 'wrong_answer' ? 'runtime_error' : r.v } }
}

function release (...xs) {
  for (const x of xs) { try { x?.release() } catch { /* isolate gone */ } }
}

async function stdio (job) {
  const stdins = job.stdins ?? []
  for (let i = 0; i < stdins.length; i++) {
    isolate(job.limits.memory_mb)
    const { ctx, entry, load, stdout } = await candidate(job, i, stdins[i])
    release(entry, ctx)
    caseOut({ i, raw: load ?? { v: 'ok', stdout: stdout ?? '' } })
    if (!iso.isDisposed && iso.getHeapStatisticsSync().used_heap_size > isoMb * (1 << 19)) drop()
  }
}

async function call (job) {
  const cases = job.argsJson ?? []
  let s = null
  try {
    for (let i = 0; i < cases.length; i++) {
      if (s === null || iso.isDisposed) {
        release(s?.entry, s?.ctx)
        isolate(job.limits.memory_mb)
        s = await candidate(job, -1)
        if (s.load) {
          for (let k = i; k < cases.length; k++) caseOut({ i: k, raw: s.load })
          return
        }
      }
      const entry = s.entry
      const t0 = performance.now()
      const r = await step(i, job.limits, async ms => await entry.apply(undefined, ['call', job.function ?? '', cases[i]], { timeout: ms, result: { copy: true } }))
      if (r.ok === undefined) { caseOut({ i, raw: r }); continue }
      const text = String(r.ok)
      if (text.length > job.limits.output_bytes) { caseOut({ i, raw: { v: 'output_limit' } }); continue }
      let thrown = null
      if (text.startsWith('{"$throw":')) { try { thrown = JSON.parse(text).$throw } catch { /* not ours: compared as data */ } }
      if (Array.isArray(thrown)) {
        const [name, message] = thrown.map(x => clip(x))
        caseOut({ i, raw: { v: /output limit/.test(message) ? 'output_limit' : 'runtime_error', error: clip(`${name}: ${message}`) } })
      } else {
        caseOut({ i, json: text, ms: Math.round((performance.now() - t0) * 1000) / 1000 })
      }
    }
  } finally {
    release(s?.entry, s?.ctx)
  }
}

/** Names the test may take from the solution: identifiers of the solution's own source that the test also uses. */
const idents = src => new Set(String(src).match(IDENT) ?? [])

async function script (job) {
  isolate(job.limits.memory_mb)
  const c = await candidate(job, -1)
  let tctx = null
  let bind = null
  try {
    if (c.load) { caseOut({ i: 0, raw: c.load }); return }
    let test
    try {
      test = compiled(job.script ?? '', 'test.js')
    } catch (err) {
      return clip(err?.message ?? err)
    }
    // Only the solution's own identifiers enter its context; the test's text never does: the solution says
    // which of them it defines ('names' resolves in its own realm), the test realm binds those the test names.
    const own = JSON.stringify([...idents(job.code)].slice(0, 5000))
    const wanted = JSON.stringify([...idents(job.script)].slice(0, 5000))
    tctx = iso.createContextSync()
    tctx.global.setSync('__rv_c', c.entry.derefInto())
    bind = compiled(T_PRELUDE, '<t-realm>').runSync(tctx, { reference: true, timeout: 1000 })
    const r = await step(0, job.limits, async ms => {
      const kinds = await c.entry.apply(undefined, ['names', own], { timeout: ms, result: { copy: true } })
      await bind.apply(undefined, [typeof kinds === 'string' ? kinds : '{}', wanted], { timeout: ms })
      await test.run(tctx, { timeout: ms })
    })
    caseOut({ i: 0, raw: r.ok !== undefined || !('v' in r) ? { v: 'passed' } : r })
  } finally {
    release(bind, tctx, c.entry, c.ctx)
  }
}

/**
 * isolated-vm reports a promise rejection the solution left unhandled on the isolate's next call: settle
 * it inside this job; an isolate that still has one is replaced.
 */
async function settle () {
  if (iso === null || iso.isDisposed) return
  try {
    spare ??= iso.createContextSync()
    spare.evalSync('0', { timeout: 100 })
  } catch { drop() }
}

async function runJob (job) {
  isoJobs++
  try {
    const testError = job.form === 'stdio' ? await stdio(job) : job.form === 'call' ? await call(job) : await script(job)
    await settle()
    if (iso !== null && !iso.isDisposed && iso.getHeapStatisticsSync().used_heap_size > isoMb * (1 << 19)) drop()
    send(testError === undefined ? { t: 'done', cases: flush() } : { t: 'done', cases: flush(), testError })
  } catch (err) {
    drop()
    pending = []
    if (err instanceof HostSlow) send({ t: 'host_slow' })
    else send({ t: 'fail', reason: clip(err?.message ?? err, 200) })
  }
}

// Jobs arrive ahead of time (the host pipelines them) and run one after another; a job the host gave up
// before it began (its client went away) is skipped with an empty answer, so the host's order stays aligned.
let queue = Promise.resolve()
const skipped = new Set()
let begun = -1
process.on('message', m => {
  if (m?.t === 'skip') { if (m.id > begun) skipped.add(m.id) } else if (m?.t === 'job') {
    queue = queue.then(() => {
      begun = m.id
      if (!skipped.delete(m.id)) return runJob(m.job)
      send({ t: 'done', cases: [] })
    })
  }
})
process.on('disconnect', () => process.exit(0))
send({ t: 'ready' })
