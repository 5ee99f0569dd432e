/**
 * One JavaScript sandbox process (sandboxes/javascript/worker.js, forked with WebAssembly, SharedArrayBuffer
 * and Atomics off and an empty environment) and the host's watchdog over it. The host may send jobs ahead
 * (the pool keeps the next one waiting inside the process, so no round trip through the host sits between
 * two jobs); the process runs them one at a time, in the order sent, in an isolated-vm isolate, and reports
 * a step message before each piece of solution code, then each case. The host kills the process when a step goes past its CPU time (+ grace: the process's own watchdog
 * disposes the isolate at time_ms, so this fires only for code that ignores V8's termination), its wall
 * backstop (+ grace), or the process's RSS past its bound; an abort signal kills it too. A killed or dead
 * process is never given another job (the pool starts a new one, and runs the cases after the one that
 * was killed there, and the jobs sent ahead of time, which never began there).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { joinSandboxCpu } from './cgroup.ts'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { EffectiveLimits, JobForm, RawCase } from './types.ts'

export const WORKER = fileURLToPath(new URL('../../sandboxes/javascript/worker.js', import.meta.url))
/** V8 flags of the sandbox process: no WebAssembly, no shared memory; a small heap for the process itself. */
export const JS_PROCESS_FLAGS = ['--no-expose-wasm', '--no-harmony-sharedarraybuffer', '--no-harmony-atomics', '--max-old-space-size=192', '--max-semi-space-size=16']
const POLL_MS = 20
/** CPU past time_ms, and wall past the backstop, before the host kills the process. */
const GRACE_MS = 250
const WALL_GRACE_MS = 1500
const START_MS = 15_000
const PAGE = 4096
const TICK_US = 10_000 // USER_HZ 100

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
  /** The process was killed during this case (index in this job); later cases did not run. */
  killedAt?: number
}

/** Number of cases of a job. */
export function caseCount (job: JsJob): number {
  return job.form === 'call' ? (job.argsJson ?? []).length : job.form === 'stdio' ? (job.stdins ?? []).length : 1
}

/** CPU time (user + system) of a process in µs, from /proc; null when it is gone. */
export function processCpuUs (pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * TICK_US
  } catch { return null }
}

/** Resident set size of a process in bytes, from /proc; null when it is gone. */
export function processRss (pid: number): number | null {
  try { return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE } catch { return null }
}

interface Step { i: number, cpu0: number, t0: number }
interface CaseMsg { i: number, raw?: RawCase, json?: string, ms?: number }
type Msg = { t: 'ready' } | { t: 'step', i: number, cpu_us: number, cases?: CaseMsg[] }
  | { t: 'done', cases?: CaseMsg[], testError?: string } | { t: 'host_slow' } | { t: 'fail', reason: string }

function toCase (m: { raw?: RawCase, json?: string, ms?: number }): RawCase {
  if (m.json === undefined) return m.raw ?? { v: 'runtime_error' }
  try {
    const out: RawCase = { v: 'ok', value: JSON.parse(m.json) as unknown }
    if (m.ms !== undefined) out.ms = m.ms
    return out
  } catch { return { v: 'runtime_error', error: 'the returned value could not be read' } }
}

/** A job handed back unstarted: its process was killed or retired before it began (run it elsewhere). */
export class NotStarted extends Error {
  constructor () { super('javascript sandbox process retired before the job started') }
}

/** One job sent to the process: it becomes active (watched, answered) when the jobs sent before it are done. */
interface Sent {
  id: number
  activate: () => void
  onMsg: (m: Msg) => void
  onExit: (code: number | null, sig: string | null) => void
  /** Answers the job now with `r` (its later messages are dropped); the process may still run it. */
  settle: (r: JsJobOutcome | Error) => void
  answered: () => boolean
}

export class JsProcess {
  readonly child: ChildProcess
  /** RSS when it became ready: the bound of every job is measured from here. */
  baseRss = 0
  jobs = 0
  dead = false
  /** Jobs sent and not answered yet, oldest (the running one) first. */
  private readonly sent: Sent[] = []
  private nextId = 0
  private onMsg: ((m: Msg) => void) | null = null
  private onExit: ((code: number | null, sig: string | null) => void) | null = null
  private stderr = ''

  private constructor (child: ChildProcess) {
    this.child = child
    child.on('message', m => { (this.sent[0]?.onMsg ?? this.onMsg)?.(m as Msg) })
    child.on('exit', (code, sig) => {
      this.dead = true
      this.onExit?.(code, sig)
      this.sent[0]?.onExit(code, sig)
      this.handBack()
    })
    child.on('error', () => { this.dead = true })
    child.stderr?.on('data', (b: Buffer) => { this.stderr = (this.stderr + b.toString()).slice(-500) })
  }

  /** Starts a sandbox process (as uid/gid when given); rejects with the reason when it does not become ready. */
  static start (worker = WORKER, ids?: { uid: number, gid: number }): Promise<JsProcess> {
    const child = fork(worker, [], { execArgv: JS_PROCESS_FLAGS, env: {}, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json', ...ids })
    joinSandboxCpu(child.pid) // CODE_CPU_SHARES: all its threads, before it runs any code
    const p = new JsProcess(child)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { p.kill(); reject(new Error('javascript sandbox process did not start in time')) }, START_MS)
      p.onMsg = m => {
        if (m.t !== 'ready') return
        clearTimeout(timer)
        p.onMsg = null
        p.onExit = null
        p.baseRss = processRss(child.pid ?? 0) ?? 0
        resolve(p)
      }
      p.onExit = () => {
        clearTimeout(timer)
        reject(new Error(`javascript sandbox process exited at start: ${p.stderr.trim().split('\n').pop() ?? ''}`.trim()))
      }
    })
  }

  /** Jobs sent to this process and not answered yet. */
  get inFlight (): number { return this.sent.length }

  kill (): void {
    this.dead = true
    try { this.child.kill('SIGKILL') } catch { /* gone */ }
    this.handBack()
  }

  /**
   * Takes back the last job sent ahead that has not begun as far as the host knows (another process is
   * idle): it answers NotStarted now, and the process is told to skip it (if it began meanwhile, it runs
   * unread, under its watchdog). False when there is none.
   */
  takeBack (): boolean {
    for (let k = this.sent.length - 1; k >= 1; k--) {
      const s = this.sent[k] as Sent
      if (s.answered()) continue
      s.settle(new NotStarted())
      if (!this.dead) this.child.send({ t: 'skip', id: s.id }, () => {})
      return true
    }
    return false
  }

  /** Jobs queued behind the one that ended this process never started here: they answer NotStarted. */
  private handBack (): void {
    for (const s of this.sent.splice(0)) s.settle(new NotStarted())
  }

  /** RSS the process keeps between jobs beyond its start. */
  growth (): number {
    return (processRss(this.child.pid ?? 0) ?? Infinity) - this.baseRss
  }

  /**
   * Sends one job; it runs after the jobs sent before it (pipelined: no idle round trip between jobs).
   * Resolves with the cases, an Error for a host fault or an abort, or NotStarted when the process ended
   * before the job began (never rejects).
   */
  run (job: JsJob, signal?: AbortSignal): Promise<JsJobOutcome | Error> {
    const pid = this.child.pid ?? 0
    const { time_ms: timeMs, memory_mb: memoryMb } = job.limits
    const wallMs = timeMs * job.limits.wall_factor + job.limits.wall_extra_ms + WALL_GRACE_MS
    const rssLimit = this.baseRss + (2 * memoryMb + 64) * 1024 * 1024
    const id = this.nextId++
    this.jobs++
    const this_ = this
    return new Promise(resolve => {
      const cases: RawCase[] = []
      let step: Step | null = null
      let lastMsg = performance.now()
      let watch: NodeJS.Timeout | undefined
      let done = false
      const me: Sent = { id, activate, onMsg, onExit, settle: r => { finish(r) }, answered: () => done }
      function finish (r: JsJobOutcome | Error): void {
        clearInterval(watch) // also for a job answered before it ran (taken back, given up), now ended here
        if (done) return
        done = true
        signal?.removeEventListener('abort', onAbort)
        resolve(r)
      }
      /** This job's answer came: the next job sent becomes the running one (unless the process ends now). */
      const next = (activateNext = true): void => {
        clearInterval(watch)
        const k = this_.sent.indexOf(me)
        if (k >= 0) this_.sent.splice(k, 1)
        if (k === 0 && activateNext) this_.sent[0]?.activate()
      }
      /** The process is killed for what the running step did: that step gets the verdict; later cases none. */
      const killFor = (v: RawCase | Error): void => {
        next(false)
        if (v instanceof Error) finish(v)
        else {
          const i = step?.i ?? -1
          if (i < 0) {
            // while loading the program: every case not yet answered would meet the same fate
            for (let k = 0; k < caseCount(job); k++) cases[k] ??= v
            finish({ cases })
          } else {
            cases[i] = v
            finish({ cases, killedAt: i })
          }
        }
        this_.kill()
      }
      function onAbort (): void {
        if (this_.sent[0] === me) { killFor(new Error('aborted: the client went away')); return }
        // not started yet: answered now; the process skips it (or runs it, if it began meanwhile, unread)
        finish(new Error('aborted: the client went away'))
        if (!this_.dead) this_.child.send({ t: 'skip', id }, () => {})
      }
      function activate (): void {
        lastMsg = performance.now()
        watch = setInterval(() => {
          const now = performance.now()
          if (step === null) {
            // between steps only our own code runs; a process silent for long is broken
            if (now - lastMsg > wallMs + START_MS) killFor(new Error('javascript sandbox process stopped answering'))
            return
          }
          const cpu = processCpuUs(pid)
          if (cpu === null) return // exit event follows
          const used = (cpu - step.cpu0) / 1000
          const rss = processRss(pid) ?? 0
          if (rss > rssLimit) killFor({ v: 'memory_limit', error: `the sandbox process grew past ${Math.round(rssLimit / 1048576)} MB` })
          else if (used >= timeMs + GRACE_MS) killFor({ v: 'timeout' })
          else if (now - step.t0 >= wallMs) killFor(used >= timeMs ? { v: 'timeout' } : new Error('host too slow: the wall-clock backstop fired before the time limit of CPU was used'))
        }, POLL_MS)
      }
      function onMsg (m: Msg): void {
        lastMsg = performance.now()
        if (m.t === 'step' || m.t === 'done') for (const c of m.cases ?? []) cases[c.i] = toCase(c)
        if (m.t === 'step') { step = { i: m.i, cpu0: m.cpu_us, t0: performance.now() }; return }
        if (m.t === 'fail') {
          next(false)
          finish(new Error(`javascript sandbox failure: ${m.reason}`))
          this_.kill()
          return
        }
        next()
        if (m.t === 'done') finish(m.testError === undefined ? { cases } : { cases, testError: m.testError })
        else if (m.t === 'host_slow') finish(new Error('host too slow: the wall-clock backstop fired before the time limit of CPU was used'))
      }
      function onExit (code: number | null, sig: string | null): void {
        // Died by itself: during solution code, that case crashed it (a native abort, V8's fatal OOM), or
        // the process's watchdog could not stop it (exit 71: at time_ms of CPU; 72: at the wall backstop).
        if (step === null) {
          next(false)
          finish(new Error('javascript sandbox process exited between steps'))
        } else if (code === 71) killFor({ v: 'timeout' })
        else if (code === 72) killFor(new Error('host too slow: the wall-clock backstop fired before the time limit of CPU was used'))
        else killFor(sig === 'SIGKILL' ? { v: 'memory_limit', error: 'the sandbox process was killed (memory)' } : { v: 'runtime_error', error: `the solution crashed the JavaScript engine (${sig ?? `exit ${String(code)}`})` })
      }
      if (this.dead) { resolve(new NotStarted()); return }
      if (signal?.aborted) { resolve(new Error('aborted: the client went away')); return }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.sent.push(me)
      if (this.sent.length === 1) activate()
      this.child.send({ t: 'job', id, job }, err => { if (err && !done) { if (this.sent[0] === me) killFor(new Error('javascript sandbox process is gone')); else { this.kill() } } })
    })
  }
}
