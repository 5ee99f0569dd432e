/**
 * A pool of isolated-vm isolates (one job at a time each; isolated-vm runs them on its own threads, so
 * N isolates use up to N cores). An isolate is replaced after a memory-limit kill, after `maxJobs` jobs,
 * or when its heap grows past half its limit. Jobs queue when all isolates are busy.
 */
import { availableParallelism } from 'node:os'
import { createRequire } from 'node:module'
import type ivm from 'isolated-vm'
import { runJsJob, type JsJob, type JsJobOutcome } from './js-runner.ts'

const require = createRequire(import.meta.url)

export interface JsPoolOptions {
  isolates?: number
  maxJobs?: number
}

interface Slot { iso: ivm.Isolate | null, memoryMb: number, jobs: number, busy: boolean }
interface Waiter { job: JsJob, resolve: (r: JsJobOutcome | Error) => void }

let ivmModule: typeof ivm | undefined | null
function loadIvm (): typeof ivm | null {
  if (ivmModule === undefined) {
    try { ivmModule = require('isolated-vm') as typeof ivm } catch { ivmModule = null }
  }
  return ivmModule
}

export class JsPool {
  private readonly slots: Slot[]
  private readonly queue: Waiter[] = []
  private readonly maxJobs: number
  private closed = false
  readonly unavailable: string | null

  constructor (opts: JsPoolOptions = {}) {
    const n = Math.max(1, opts.isolates ?? availableParallelism())
    this.slots = Array.from({ length: n }, () => ({ iso: null, memoryMb: 0, jobs: 0, busy: false }))
    this.maxJobs = opts.maxJobs ?? 500
    this.unavailable = loadIvm() ? null : 'isolated-vm is not installed or failed to build (npm install isolated-vm)'
  }

  async warm (): Promise<void> {
    if (this.unavailable) throw new Error(this.unavailable)
  }

  /** Resolves with the outcome, or with an Error for a sandbox fault (never rejects). */
  run (job: JsJob): Promise<JsJobOutcome | Error> {
    if (this.unavailable) return Promise.resolve(new Error(this.unavailable))
    if (this.closed) return Promise.resolve(new Error('sandbox pool closed'))
    return new Promise(resolve => {
      this.queue.push({ job, resolve })
      this.dispatch()
    })
  }

  close (): void {
    this.closed = true
    for (const w of this.queue.splice(0)) w.resolve(new Error('sandbox pool closed'))
    for (const s of this.slots) { if (s.iso && !s.busy) s.iso.dispose(); s.iso = s.busy ? s.iso : null }
  }

  private isolateFor (slot: Slot, memoryMb: number): ivm.Isolate {
    const lib = loadIvm() as typeof ivm
    const stale = slot.iso === null || slot.iso.isDisposed || slot.memoryMb !== memoryMb || slot.jobs >= this.maxJobs
    if (stale) {
      if (slot.iso && !slot.iso.isDisposed) slot.iso.dispose()
      slot.iso = new lib.Isolate({ memoryLimit: memoryMb })
      slot.memoryMb = memoryMb
      slot.jobs = 0
    }
    return slot.iso as ivm.Isolate
  }

  private dispatch (): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return
      if (slot.busy) continue
      const w = this.queue.shift() as Waiter
      slot.busy = true
      slot.jobs++
      let iso: ivm.Isolate
      try {
        iso = this.isolateFor(slot, w.job.limits.memory_mb)
      } catch (err) {
        slot.busy = false
        w.resolve(err as Error)
        continue
      }
      runJsJob(iso, w.job).then(r => {
        if (r.isolateLost) slot.iso = null
        else if (!iso.isDisposed) {
          const h = iso.getHeapStatisticsSync()
          if (h.used_heap_size > slot.memoryMb * (1 << 19)) { iso.dispose(); slot.iso = null }
        }
        w.resolve(r)
      }, (err: Error) => {
        if (!iso.isDisposed) iso.dispose()
        slot.iso = null
        w.resolve(err)
      }).finally(() => {
        slot.busy = false
        if (this.closed && slot.iso) { slot.iso.dispose(); slot.iso = null }
        this.dispatch()
      })
    }
  }
}
