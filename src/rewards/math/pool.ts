/**
 * Worker-thread pool with a deadline per check. A check past its deadline has its worker terminated and
 * replaced; it answers status 'timeout' and the other checks go on. Workers start once and are kept.
 */
import { Worker } from 'node:worker_threads'
import type { MathCheckInput, MathCheckResult, MathVerifier, MathVerifierOptions } from './api.ts'

interface Job {
  id: number
  input: MathCheckInput
  resolve: (r: MathCheckResult) => void
  reject: (e: unknown) => void
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  timer?: NodeJS.Timeout
  startedAt?: number
}

interface Slot { worker: Worker, ready: boolean, job: Job | null }

const WORKER_URL = new URL('./worker-boot.mjs', import.meta.url)
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
    const slot: Slot = { worker: new Worker(WORKER_URL), ready: false, job: null }
    slot.worker.unref()
    slot.worker.on('message', (m: { ready?: boolean, id?: number, result?: MathCheckResult }) => {
      if (m.ready === true) { slot.ready = true; this.startFailures = 0; this.pump(); return }
      const job = slot.job
      if (job === null || job.id !== m.id || m.result === undefined) return
      this.finish(slot, job)
      job.resolve(m.result)
      this.pump()
    })
    slot.worker.on('error', (err) => { this.crash(slot, `worker error: ${err.message}`) })
    slot.worker.on('exit', () => { this.crash(slot, 'worker exited') })
    return slot
  }

  private finish (slot: Slot, job: Job): void {
    clearTimeout(job.timer)
    if (job.signal !== undefined && job.onAbort !== undefined) job.signal.removeEventListener('abort', job.onAbort)
    slot.job = null
  }

  /** Terminates a slot's worker and starts a fresh one in its place. */
  private replace (slot: Slot): void {
    const i = this.slots.indexOf(slot)
    if (i < 0) return
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
    const job = slot.job
    if (job !== null) {
      this.finish(slot, job)
      job.resolve(failed('error', reason, elapsedOf(job)))
    }
    this.replace(slot)
  }

  /** Workers keep the process alive only while checks are queued or running. */
  private updateRefs (): void {
    const busy = this.queue.length > 0 || this.slots.some(s => s.job !== null)
    for (const s of this.slots) {
      if (busy) s.worker.ref()
      else s.worker.unref()
    }
  }

  private pump (): void {
    this.dispatch()
    this.updateRefs()
  }

  private dispatch (): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return
      if (!slot.ready || slot.job !== null) continue
      const job = this.queue.shift() as Job
      slot.job = job
      job.startedAt = performance.now()
      job.timer = setTimeout(() => {
        if (slot.job !== job) return
        this.finish(slot, job)
        job.resolve(failed('timeout', `deadline of ${this.opts.deadlineMs} ms exceeded; the check was stopped`, elapsedOf(job)))
        this.replace(slot)
        this.pump()
      }, this.opts.deadlineMs)
      slot.worker.postMessage({ id: job.id, input: job.input })
    }
  }

  check (input: MathCheckInput, opts: { signal?: AbortSignal } = {}): Promise<MathCheckResult> {
    if (this.closed) return Promise.resolve(failed('error', 'math verifier is closed'))
    if (this.broken !== null) return Promise.resolve(failed('error', this.broken))
    const signal = opts.signal
    if (signal?.aborted === true) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, input: { gold: input.gold, prediction: input.prediction, extract: input.extract, ...(input.tags !== undefined ? { tags: input.tags } : {}) }, resolve, reject, signal, onAbort: undefined }
      if (signal !== undefined) {
        job.onAbort = () => {
          const q = this.queue.indexOf(job)
          if (q >= 0) this.queue.splice(q, 1)
          const slot = this.slots.find(s => s.job === job)
          if (slot !== undefined) { this.finish(slot, job); this.replace(slot) }
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
      if (s.job !== null) { const j = s.job; this.finish(s, j); j.resolve(failed('error', 'math verifier closed')) }
      await s.worker.terminate()
    }))
  }
}

function elapsedOf (job: Job): number {
  return job.startedAt === undefined ? 0 : Math.round((performance.now() - job.startedAt) * 1000) / 1000
}
