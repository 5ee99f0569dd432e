/**
 * Worker-thread pool with a deadline per check. A check past its deadline has its worker terminated and
 * replaced; it answers status 'timeout' and the other checks go on. Workers start once and are kept.
 * Each worker holds up to WINDOW checks in flight (it runs them in order), so it never waits on the main
 * thread between two checks; a check's deadline runs from when it reaches the head of its worker's line.
 * When a worker is killed or dies, the checks queued behind the one at fault go back to the front of the
 * queue: they are not at fault.
 */
import type { Worker } from 'node:worker_threads'
import { tsWorker } from '../../lib/ts-worker.ts'
import type { MathCheckInput, MathCheckResult, MathVerifier, MathVerifierOptions } from './api.ts'

interface Job {
  id: number
  input: MathCheckInput
  resolve: (r: MathCheckResult) => void
  reject: (e: unknown) => void
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  timer?: NodeJS.Timeout | undefined
  startedAt?: number | undefined
  /** Aborted while waiting in a worker's line: its result, when it comes, is ignored. */
  dropped?: boolean
}

interface Slot { worker: Worker, ready: boolean, jobs: Job[] }

/**
 * Checks in flight per worker: 2 keeps the next check ready while one runs, and lets at most one check
 * wait behind a slow one (up to the deadline) in a worker's line.
 */
const WINDOW = 2

const WORKER_URL = new URL('./worker.ts', import.meta.url)
/** Workers that die before they are ready, in a row, after which the pool gives up (no respawn storm). */
const MAX_START_FAILURES = 3

export function failed (status: MathCheckResult['status'], reason: string, elapsed = 0): MathCheckResult {
  return {
    status, equivalent: null, rule: null, reason, gold: { extracted: null, parsed: null }, prediction: { extracted: null, parsed: null }, elapsed_ms: elapsed
  }
}

export class MathPool implements MathVerifier {
  private readonly slots: Slot[] = []
  private readonly queue: Job[] = []
  private nextId = 1
  private closed = false
  private startFailures = 0
  private broken: string | null = null

  constructor (private readonly opts: MathVerifierOptions) {
    const n = Math.max(1, Math.floor(opts.threads))
    for (let i = 0; i < n; i++) this.slots.push(this.spawn())
  }

  /** Resolves once every worker has loaded (useful before measuring). */
  async ready (): Promise<void> {
    while (!this.closed && this.broken === null && this.slots.some(s => !s.ready)) await new Promise(resolve => setTimeout(resolve, 10))
  }

  private spawn (): Slot {
    const slot: Slot = { worker: tsWorker(WORKER_URL), ready: false, jobs: [] }
    slot.worker.unref()
    slot.worker.on('message', (m: { ready?: boolean, id?: number, result?: MathCheckResult }) => {
      if (m.ready === true) { slot.ready = true; this.startFailures = 0; this.pump(); return }
      const job = slot.jobs[0]
      if (job === undefined || job.id !== m.id || m.result === undefined) return
      this.finish(slot, job)
      if (job.dropped !== true) job.resolve(m.result)
      this.startHead(slot)
      this.pump()
    })
    slot.worker.on('error', (err) => { this.crash(slot, `worker error: ${err.message}`) })
    slot.worker.on('exit', () => { this.crash(slot, 'worker exited') })
    return slot
  }

  /** Takes a job off its slot's line (wherever it is in it) and stops its timer and abort listener. */
  private finish (slot: Slot, job: Job): void {
    clearTimeout(job.timer)
    if (job.signal !== undefined && job.onAbort !== undefined) job.signal.removeEventListener('abort', job.onAbort)
    const k = slot.jobs.indexOf(job)
    if (k >= 0) slot.jobs.splice(k, 1)
  }

  /** The head of a slot's line is the check its worker runs now: its deadline starts here. */
  private startHead (slot: Slot): void {
    const job = slot.jobs[0]
    if (job === undefined || job.timer !== undefined) return
    job.startedAt = performance.now()
    job.timer = setTimeout(() => {
      if (slot.jobs[0] !== job) return
      this.finish(slot, job)
      if (job.dropped !== true) job.resolve(failed('timeout', `deadline of ${this.opts.deadlineMs} ms exceeded; the check was stopped`, elapsedOf(job)))
      this.replace(slot)
      this.pump()
    }, this.opts.deadlineMs)
  }

  /** Terminates a slot's worker and starts a fresh one in its place; its other checks are queued again first. */
  private replace (slot: Slot): void {
    const i = this.slots.indexOf(slot)
    if (i < 0) return
    for (const job of slot.jobs.splice(0).reverse()) {
      clearTimeout(job.timer)
      if (job.dropped === true) continue
      job.timer = undefined
      job.startedAt = undefined
      this.queue.unshift(job)
    }
    slot.worker.removeAllListeners('exit')
    slot.worker.removeAllListeners('error')
    slot.worker.removeAllListeners('message')
    slot.worker.on('error', () => {})
    slot.worker.terminate().catch(() => {})
    if (!this.closed) this.slots[i] = this.spawn()
    else this.slots.splice(i, 1)
  }

  private crash (slot: Slot, reason: string): void {
    if (!slot.ready && ++this.startFailures >= MAX_START_FAILURES) {
      this.broken = `math workers fail to start: ${reason}`
      for (const j of this.queue.splice(0)) j.resolve(failed('error', this.broken))
      const i = this.slots.indexOf(slot)
      if (i >= 0) this.slots.splice(i, 1)
      slot.worker.removeAllListeners()
      return
    }
    const job = slot.jobs[0]
    if (job !== undefined) {
      this.finish(slot, job)
      if (job.dropped !== true) job.resolve(failed('error', reason, elapsedOf(job)))
    }
    this.replace(slot)
  }

  /** Workers keep the process alive only while checks are queued or running. */
  private updateRefs (): void {
    const busy = this.queue.length > 0 || this.slots.some(s => s.jobs.length > 0)
    for (const s of this.slots) {
      if (busy) s.worker.ref()
      else s.worker.unref()
    }
  }

  private pump (): void {
    this.dispatch()
    this.updateRefs()
  }

  /** Fills every ready worker's line up to WINDOW, the least loaded first. */
  private dispatch (): void {
    while (this.queue.length > 0) {
      let best: Slot | undefined
      for (const slot of this.slots) {
        if (slot.ready && slot.jobs.length < WINDOW && (best === undefined || slot.jobs.length < best.jobs.length)) best = slot
      }
      if (best === undefined) return
      const job = this.queue.shift() as Job
      best.jobs.push(job)
      best.worker.postMessage({ id: job.id, input: job.input })
      this.startHead(best)
    }
  }

  check (input: MathCheckInput, opts: { signal?: AbortSignal } = {}): Promise<MathCheckResult> {
    if (this.closed) return Promise.resolve(failed('error', 'math verifier is closed'))
    if (this.broken !== null) return Promise.resolve(failed('error', this.broken))
    const signal = opts.signal
    if (signal?.aborted === true) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, input: { gold: input.gold, prediction: input.prediction, extract: input.extract, ...(input.tags !== undefined ? { tags: input.tags } : {}), ...(input.rounding !== undefined ? { rounding: input.rounding } : {}) }, resolve, reject, signal, onAbort: undefined }
      if (signal !== undefined) {
        job.onAbort = () => {
          const q = this.queue.indexOf(job)
          if (q >= 0) this.queue.splice(q, 1)
          const slot = this.slots.find(s => s.jobs.includes(job))
          if (slot !== undefined) {
            // Running now: kill it. Still waiting in the worker's line: it stays there (so the deadlines of
            // the checks behind it stay right), runs, and its result is dropped.
            if (slot.jobs[0] === job) { this.finish(slot, job); this.replace(slot) } else job.dropped = true
          }
          reject(signal.reason)
          this.pump()
        }
        signal.addEventListener('abort', job.onAbort, { once: true })
      }
      this.queue.push(job)
      this.pump()
    })
  }

  checkMany (inputs: MathCheckInput[], opts: { signal?: AbortSignal } = {}): Promise<MathCheckResult[]> {
    return Promise.all(inputs.map(i => this.check(i, opts)))
  }

  async close (): Promise<void> {
    this.closed = true
    for (const job of this.queue.splice(0)) job.resolve(failed('error', 'math verifier closed'))
    const slots = this.slots.splice(0)
    await Promise.all(slots.map(async s => {
      s.worker.removeAllListeners()
      s.worker.on('error', () => {})
      for (const j of s.jobs.splice(0)) { clearTimeout(j.timer); if (j.dropped !== true) j.resolve(failed('error', 'math verifier closed')) }
      await s.worker.terminate()
    }))
  }
}

function elapsedOf (job: Job): number {
  return job.startedAt === undefined ? 0 : Math.round((performance.now() - job.startedAt) * 1000) / 1000
}
