/**
 * A pool of JavaScript sandbox processes (js-runner.ts), each running one job at a time with up to
 * `pipeline` jobs sent to it ahead (so a process never waits a round trip through the host between jobs);
 * jobs queue when every process has its fill. A job sent ahead to a process that is then killed or retired
 * never started there: it goes back to the head of the queue. A process that was killed, died, grew more than `recycleMb` past its start, or ran `maxJobs` jobs is
 * replaced before its slot takes another job. When processes keep failing to start, the pool is dead:
 * `ready()` says why (for /readyz), `warm()` rejects, and jobs answer an Error (status error, reward null)
 * instead of waiting.
 *
 * When the service runs as root, slot i's process runs as uid (and gid) base + i of a claimed uid range
 * (uid-range.ts; no supplementary groups): it owns nothing of the service and cannot signal, trace or read
 * the service or another slot's process. The files it loads (worker.js and its preludes, isolated-vm and its
 * native module, node) must be readable by others and the worker's own files writable by nobody else; when
 * not, the pool is unavailable and says which file.
 */
import { availableParallelism } from 'node:os'
import { createRequire } from 'node:module'
import { statSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { JsProcess, NotStarted, WORKER, caseCount, type JsJob, type JsJobOutcome } from './js-runner.ts'
import { claimUidRange, type UidRange } from './uid-range.ts'
import type { RawCase } from './types.ts'

const require = createRequire(import.meta.url)

export interface JsPoolOptions {
  /** Sandbox processes (default: machine parallelism). */
  isolates?: number
  maxJobs?: number
  /** RSS a process may keep beyond its start between jobs before it is replaced (MB). */
  recycleMb?: number
  /** The sandbox process's entry (default sandboxes/javascript/worker.js). */
  worker?: string
  /** Jobs sent to one process at once: the running one and those queued behind it there (default 2; 1: none ahead). */
  pipeline?: number
  /** First uid of the processes' claimed range when the service runs as root (default 74000). */
  uidBase?: number
}

interface Slot { proc: JsProcess | null, starting: Promise<void> | null, busy: number }
interface Waiter { job: JsJob, signal: AbortSignal | undefined, resolve: (r: JsJobOutcome | Error) => void, onAbort: () => void }

/** Consecutive start failures after which the pool is reported dead (it keeps retrying, at most once a second). */
const DEAD_AFTER = 3

function ivmMissing (): string | null {
  try { require.resolve('isolated-vm'); return null } catch { return 'isolated-vm is not installed or failed to build (npm install isolated-vm)' }
}

/** Files an unprivileged sandbox process loads: the worker's folder, isolated-vm (with its native module), node. */
function filesToLoad (worker: string): string[] {
  const dir = dirname(worker)
  const ivm = require.resolve('isolated-vm')
  const ivmDir = dirname(ivm)
  const native = (() => { try { return readdirSync(join(ivmDir, 'out')).filter(f => f.endsWith('.node')).map(f => join(ivmDir, 'out', f)) } catch { return [] } })()
  const own = (() => { try { return readdirSync(dir).filter(f => f.endsWith('.js')).map(f => join(dir, f)) } catch { return [] } })() // missing: the start fails and says so
  return [...own, ivm, join(ivmDir, 'package.json'), ...native, process.execPath]
}

/** Why a process of another uid (not the owner, in no group) cannot load these files, or that it could change them; null when fine. */
function othersCannotLoad (files: string[], noWrite: string[]): string | null {
  const dirs = new Set<string>()
  for (const f of files) {
    for (let d = dirname(f); !dirs.has(d); d = dirname(d)) { dirs.add(d); if (d === dirname(d)) break }
    try {
      if ((statSync(f).mode & 0o004) === 0) return `${f} is not readable by others (chmod o+r, or run the service as a non-root user)`
    } catch { return `${f} is missing` }
  }
  for (const d of dirs) {
    try { if ((statSync(d).mode & 0o001) === 0) return `folder ${d} is not searchable by others (chmod o+x)` } catch { return `folder ${d} is missing` }
  }
  for (const f of noWrite) {
    try { if ((statSync(f).mode & 0o002) !== 0) return `${f} is writable by others: the sandbox uid could change the sandbox` } catch { /* reported above */ }
  }
  return null
}

/** The uid range of the processes (root only; null: they run as the service's user), or why there is none. */
function claimIds (n: number, base: number, worker: string): { range: UidRange | null, why: string | null } {
  if (process.getuid?.() !== 0) return { range: null, why: null }
  const files = filesToLoad(worker)
  const why = othersCannotLoad(files, [dirname(worker), ...files.filter(f => dirname(f) === dirname(worker))])
  if (why !== null) return { range: null, why: `javascript sandbox processes run as an unprivileged uid: ${why}` }
  try { return { range: claimUidRange(base, n), why: null } } catch (err) { return { range: null, why: `javascript sandbox: ${(err as Error).message}` } }
}

export class JsPool {
  private readonly slots: Slot[]
  private readonly queue: Waiter[] = []
  private readonly maxJobs: number
  private readonly recycleBytes: number
  private readonly worker: string | undefined
  private readonly depth: number
  private readonly uids: UidRange | null = null
  private closed = false
  private failures = 0
  private lastFailure = ''
  private lastAttempt = 0
  readonly unavailable: string | null

  constructor (opts: JsPoolOptions = {}) {
    const n = Math.max(1, opts.isolates ?? availableParallelism())
    this.slots = Array.from({ length: n }, () => ({ proc: null, starting: null, busy: 0 }))
    this.depth = Math.max(1, opts.pipeline ?? 2)
    this.maxJobs = opts.maxJobs ?? 10_000
    this.recycleBytes = (opts.recycleMb ?? 48) * 1024 * 1024
    this.worker = opts.worker
    let why = ivmMissing()
    if (why === null) {
      const ids = claimIds(n, opts.uidBase ?? 74000, opts.worker ?? WORKER)
      this.uids = ids.range
      why = ids.why
    }
    this.unavailable = why
  }

  /** The uid slot i's process runs as (null: the service's own). */
  uidOf (slot: number): number | null {
    return this.uids === null ? null : this.uids.base + slot
  }

  /** null when the pool can run jobs; else why not. */
  ready (): string | null {
    if (this.unavailable) return this.unavailable
    if (this.closed) return 'javascript sandbox pool closed'
    const live = this.slots.some(s => s.busy > 0 || (s.proc !== null && !s.proc.dead))
    if (this.failures >= DEAD_AFTER || (this.failures > 0 && !live)) return `javascript sandbox processes fail to start: ${this.lastFailure}`
    return null
  }

  /** Starts every slot's process; rejects with the reason when the pool cannot run jobs. */
  async warm (): Promise<void> {
    if (this.unavailable) throw new Error(this.unavailable)
    await Promise.all(this.slots.map(async s => {
      if (s.busy > 0 || (s.proc !== null && !s.proc.dead)) return
      await this.start(s).catch(() => {})
    }))
    const why = this.ready()
    if (why !== null) throw new Error(why)
  }

  /**
   * Resolves with the outcome, or with an Error for a sandbox fault or an abort (never rejects). When the
   * process is killed during a case of a call or stdio job, the later cases run in a fresh process.
   */
  async run (job: JsJob, signal?: AbortSignal): Promise<JsJobOutcome | Error> {
    const total = caseCount(job)
    const cases: RawCase[] = []
    for (let from = 0; ;) {
      const sub = from === 0 ? job : { ...job, ...(job.argsJson && { argsJson: job.argsJson.slice(from) }), ...(job.stdins && { stdins: job.stdins.slice(from) }) }
      const r = await this.runOnce(sub, signal)
      if (r instanceof Error) return r
      r.cases.forEach((c, j) => { cases[from + j] = c })
      if (r.killedAt === undefined || job.form === 'script') return r.testError === undefined ? { cases } : { cases, testError: r.testError }
      from += r.killedAt + 1
      if (from >= total) return { cases }
    }
  }

  private runOnce (job: JsJob, signal?: AbortSignal): Promise<JsJobOutcome | Error> {
    if (this.unavailable) return Promise.resolve(new Error(this.unavailable))
    if (this.closed) return Promise.resolve(new Error('sandbox pool closed'))
    if (signal?.aborted) return Promise.resolve(new Error('aborted: the client went away'))
    return new Promise(resolve => {
      const w: Waiter = {
        job,
        signal,
        resolve,
        onAbort: () => {
          const k = this.queue.indexOf(w)
          if (k >= 0) { this.queue.splice(k, 1); resolve(new Error('aborted: the client went away')) }
        }
      }
      signal?.addEventListener('abort', w.onAbort, { once: true })
      this.queue.push(w)
      this.dispatch()
    })
  }

  /** Pids of the live sandbox processes (tests and diagnostics). */
  pids (): number[] {
    return this.slots.flatMap(s => s.proc && !s.proc.dead && s.proc.child.pid !== undefined ? [s.proc.child.pid] : [])
  }

  close (): void {
    this.closed = true
    for (const w of this.queue.splice(0)) w.resolve(new Error('sandbox pool closed'))
    for (const s of this.slots) { s.proc?.kill(); s.proc = null }
    // the uids are given back once the killed processes had time to go
    const uids = this.uids
    if (uids !== null) setTimeout(() => { uids.release() }, 500).unref()
  }

  private start (slot: Slot): Promise<void> {
    const uid = this.uidOf(this.slots.indexOf(slot))
    slot.starting ??= JsProcess.start(this.worker, uid === null ? undefined : { uid, gid: uid }).then(p => {
      slot.starting = null
      if (this.closed) { p.kill(); return }
      slot.proc = p
      this.failures = 0
      this.dispatch()
    }, (err: Error) => {
      slot.starting = null
      this.failures++
      this.lastFailure = err.message
      if (this.failures >= DEAD_AFTER) {
        for (const w of this.queue.splice(0)) w.resolve(new Error(this.ready() ?? err.message))
      } else setTimeout(() => { this.dispatch() }, 100 * this.failures).unref()
      throw err
    })
    this.lastAttempt = performance.now()
    return slot.starting
  }

  private dispatch (): void {
    if (this.closed) return
    this.fill()
    if (this.queue.length === 0) this.steal()
  }

  /** Sends queued jobs, to the emptiest processes first: a job goes ahead of another only where none is idle. */
  private fill (): void {
    for (let fill = 0; fill < this.depth; fill++) {
      for (const slot of this.slots) {
        if (this.queue.length === 0) return
        if (slot.busy > fill) continue
        if (slot.proc === null || slot.proc.dead) {
          if (slot.busy > 0) continue // its jobs are being handed back
          slot.proc = null
          const dead = this.failures >= DEAD_AFTER
          if (dead && performance.now() - this.lastAttempt < 1000) {
            for (const w of this.queue.splice(0)) w.resolve(new Error(this.ready() ?? 'javascript sandbox pool is down'))
            return
          }
          this.start(slot).catch(() => {})
          continue
        }
        this.send(slot, slot.proc, this.queue.shift() as Waiter)
      }
    }
  }

  /** An idle process takes a job sent ahead to a busy one (no job waits behind a slow one while a process idles). */
  private steal (): void {
    for (const idle of this.slots) {
      if (idle.busy > 0 || idle.proc === null || idle.proc.dead) continue
      const taken = this.slots.some(s => s.busy >= 2 && s.proc !== null && !s.proc.dead && s.proc.takeBack())
      if (!taken) return
    }
  }

  private send (slot: Slot, proc: JsProcess, w: Waiter): void {
    w.signal?.removeEventListener('abort', w.onAbort)
    slot.busy++
    proc.run(w.job, w.signal).then(r => {
      slot.busy--
      // retired after this job: the jobs sent behind it come back NotStarted and run in the next process
      if (!proc.dead && (proc.jobs >= this.maxJobs || proc.growth() > this.recycleBytes)) proc.kill()
      if (proc.dead && slot.proc === proc) slot.proc = null
      if (slot.proc === null && slot.busy === 0 && !this.closed) this.start(slot).catch(() => {})
      if (r instanceof NotStarted && !this.closed) {
        // sent ahead to a process that ended first: back to the head of the queue, to run elsewhere
        if (w.signal?.aborted === true) w.resolve(new Error('aborted: the client went away'))
        else { w.signal?.addEventListener('abort', w.onAbort, { once: true }); this.queue.unshift(w) }
      } else w.resolve(r)
      this.dispatch()
    }, () => {})
  }
}
