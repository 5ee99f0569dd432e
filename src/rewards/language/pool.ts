/**
 * The language reward off the main thread: worker threads, each with its own detector (eld, ~200 MB), score
 * a group at a time while the main thread serves HTTP; the main thread never loads the detector unless
 * threads = 0, which scores inline. A worker that dies is replaced and
 * the slice it held answers status 'error' (never a 0).
 */
import type { Worker } from 'node:worker_threads'
import { tsWorker } from '../../lib/ts-worker.ts'
import type { ComponentResult } from '../types.ts'
import type { LanguageJob } from './index.ts'

interface Pending { resolve: (r: ComponentResult[]) => void, reject: (e: Error) => void, size: number }
interface Slot { worker: Worker, busy: number, pending: Map<number, Pending> }

export class LanguagePool {
  private readonly slots: Slot[] = []
  private nextId = 0
  private closed = false

  constructor (threads: number) {
    for (let i = 0; i < threads; i++) this.slots.push(this.spawn())
  }

  /** Scores one group's completions (the template split happens in the worker too). */
  async score (job: LanguageJob): Promise<ComponentResult[]> {
    const size = job.texts.length
    if (size === 0) return []
    if (this.slots.length === 0) {
      // Inline: the detector (~200 MB) is loaded into this thread only when there are no workers.
      const { scoreLanguageJob } = await import('./index.ts')
      return scoreLanguageJob(job)
    }
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a))
    const id = this.nextId++
    slot.busy += size
    try {
      return await new Promise<ComponentResult[]>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject, size })
        slot.worker.postMessage({ id, job })
      })
    } catch (err) {
      return job.texts.map(() => ({ score: null, status: 'error', reason: `language worker failed: ${(err as Error).message}` }))
    } finally {
      slot.busy -= size
    }
  }

  async close (): Promise<void> {
    this.closed = true
    await Promise.all(this.slots.map(async s => await s.worker.terminate()))
  }

  private spawn (): Slot {
    const worker = tsWorker(new URL('./worker.ts', import.meta.url))
    worker.unref()
    const slot: Slot = { worker, busy: 0, pending: new Map() }
    worker.on('message', (msg: { id: number, results: ComponentResult[] }) => {
      const p = slot.pending.get(msg.id)
      slot.pending.delete(msg.id)
      p?.resolve(msg.results)
    })
    const fail = (err: Error): void => {
      for (const p of slot.pending.values()) p.reject(err)
      slot.pending.clear()
      if (this.closed) return
      const index = this.slots.indexOf(slot)
      if (index >= 0) this.slots[index] = this.spawn()
    }
    worker.on('error', fail)
    worker.on('exit', code => { if (!this.closed) fail(new Error(`worker exited with code ${code}`)) })
    return slot
  }
}
