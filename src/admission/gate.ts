/**
 * A bounded, fair queue in front of a pool (math workers, code sandboxes): the layer above the pools that
 * decides who runs next and who is told to come back later.
 *
 * - At most `capacity` jobs run at once. Jobs wait per tenant (an API key, or the client address when auth
 *   is off) and slots are handed out by deficit round-robin over tenants, in time rather than in jobs: each
 *   round a waiting tenant is credited `priorMs` and pays its own measured cost per job, so a tenant of 1 ms
 *   checks gets as much of the pool's time as a tenant of 0.04 ms checks, not 25 times more. One tenant's
 *   backlog never queues in front of another's.
 * - While several tenants want slots, none holds more than its share (capacity / active tenants, at least
 *   one): a tenant whose jobs are slow (sleeping code, hostile math at its deadline) cannot take every slot
 *   one grant at a time.
 * - admit() is asked once per request, before any work: a tenant whose backlog would wait longer than
 *   maxWaitMs (estimated from its own mean cost per job over the last half minute: one job stalled by a
 *   busy CPU does not swing it) or hold more than maxQueued jobs is refused with
 *   429 and a Retry-After, instead of waiting without bound. A tenant with nothing in flight is always
 *   admitted (a lone slow job is legitimate; its own time limits bound it).
 * Everything is O(1) per job; cancellation goes through onAbort (one listener per request signal).
 */
import { errors } from '../errors.ts'
import { onAbort } from './cancel.ts'

export interface GateOptions {
  /** Name in errors and metrics: math | code. */
  name: string
  capacity: number
  /** Most jobs one tenant may have admitted and unfinished. */
  maxQueued: number
  /** Estimated wait above which a tenant's new request is refused (429). */
  maxWaitMs: number
  /** Cost of one job before a tenant's own cost is measured. */
  priorMs: number
  /** The config key named in the messages (how an operator raises the bound). */
  settings: { queue: string, wait: string }
}

interface Waiter {
  grant: (() => void) | null
  reject: (reason: unknown) => void
  unsubscribe: () => void
}

interface Tenant {
  name: string
  waiting: Waiter[]
  head: number
  running: number
  admitted: number
  /** Run time and job count, each decayed with COST_HALF_LIFE_MS since costAt (0: never ran). */
  costSum: number
  costN: number
  costAt: number
  /** Deficit round-robin: pool time (ms) this tenant may still take this round; negative is a debt. */
  deficit: number
  lastSeen: number
  inRing: boolean
}

/** Tenants seen within this window count as active for shares. */
const ACTIVE_MS = 2000
/** A tenant's measured cost decays back toward the prior with this half-life. */
const COST_HALF_LIFE_MS = 30_000
/** Weight of the prior, in jobs, in a tenant's mean cost (a first measured job moves it most of the way). */
const PRIOR_JOBS = 0.25

export class Gate {
  private running = 0
  private readonly tenants = new Map<string, Tenant>()
  private readonly ring: Tenant[] = []
  private ringHead = 0

  constructor (readonly opts: GateOptions) {}

  get inFlight (): number { return this.running }
  get waiting (): number { let n = 0; for (const t of this.tenants.values()) n += t.waiting.length - t.head; return n }

  private tenant (name: string): Tenant {
    let t = this.tenants.get(name)
    if (t === undefined) {
      t = { name, waiting: [], head: 0, running: 0, admitted: 0, costSum: 0, costN: 0, costAt: 0, deficit: 0, lastSeen: 0, inRing: false }
      this.tenants.set(name, t)
    }
    t.lastSeen = Date.now()
    return t
  }

  private activeTenants (): number {
    const now = Date.now()
    let n = 0
    for (const [name, t] of this.tenants) {
      if (t.running > 0 || t.waiting.length > t.head || t.admitted > 0 || now - t.lastSeen < ACTIVE_MS) n++
      else if (t.costAt === 0 || now - t.costAt > 10 * COST_HALF_LIFE_MS) this.tenants.delete(name)
    }
    return Math.max(1, n)
  }

  private share (): number {
    return Math.max(1, Math.floor(this.opts.capacity / this.activeTenants()))
  }

  private decay (t: Tenant): number {
    return t.costAt === 0 ? 0 : Math.pow(0.5, (Date.now() - t.costAt) / COST_HALF_LIFE_MS)
  }

  /** The tenant's mean run time per job over its recent jobs, the prior standing in for a fraction of a job. */
  private cost (t: Tenant): number {
    const d = this.decay(t)
    return (t.costSum * d + PRIOR_JOBS * this.opts.priorMs) / (t.costN * d + PRIOR_JOBS)
  }

  /**
   * Admits a request of `jobs` jobs for `tenant` or throws 429 (RWD_ERR_BUSY) with retryAfter. The returned
   * function ends the admission (call it once, when the request is done, however it ends).
   */
  admit (tenantName: string, jobs: number): () => void {
    if (jobs <= 0) return () => {}
    const t = this.tenant(tenantName)
    const { maxQueued, maxWaitMs, name, settings } = this.opts
    if (t.admitted > 0) {
      const waitMs = (t.admitted + jobs) * this.cost(t) / this.share()
      const over = t.admitted + jobs > maxQueued
      if (over || waitMs > maxWaitMs) {
        const backlogMs = t.admitted * this.cost(t) / this.share()
        const retryAfter = Math.min(60, Math.max(1, Math.ceil(backlogMs / 1000)))
        const why = over
          ? `${t.admitted} ${name} jobs of this tenant are in progress; ${jobs} more would exceed ${settings.queue} (${maxQueued})`
          : `this tenant's ${name} backlog would wait about ${Math.round(waitMs / 1000)} s, over ${settings.wait} (${maxWaitMs} ms)`
        throw Object.assign(new errors.Busy(why, retryAfter), { retryAfter })
      }
    }
    t.admitted += jobs
    let done = false
    return () => {
      if (done) return
      done = true
      t.admitted -= jobs
      t.lastSeen = Date.now()
    }
  }

  /** Runs fn when this tenant's turn comes; rejects with the signal's reason if it aborts while waiting. */
  async run<T> (tenantName: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    const t = this.tenant(tenantName)
    await this.acquire(t, signal)
    const t0 = performance.now()
    try {
      return await fn()
    } finally {
      this.release(t, performance.now() - t0)
    }
  }

  private acquire (t: Tenant, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason)
    if (t.waiting.length === t.head && this.running < this.opts.capacity && (t.running < this.share() || this.ring.length === this.ringHead)) {
      this.running++
      t.running++
      return Promise.resolve()
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { grant: resolve, reject, unsubscribe: () => {} }
      if (signal !== undefined) {
        w.unsubscribe = onAbort(signal, (reason) => {
          if (w.grant === null) return
          w.grant = null // left in the array, skipped when reached (O(1) cancel)
          reject(reason)
        })
      }
      t.waiting.push(w)
      if (!t.inRing) { t.inRing = true; this.ring.push(t) }
      this.dispatch()
    })
  }

  private release (t: Tenant, ms: number): void {
    this.running--
    t.running--
    const d = this.decay(t)
    t.costSum = t.costSum * d + ms
    t.costN = t.costN * d + 1
    t.costAt = Date.now()
    t.lastSeen = t.costAt
    this.dispatch()
  }

  /**
   * Hands free slots out by deficit round-robin over tenants with waiters: the tenant at the head of the ring
   * takes jobs while its deficit is positive (each job costs its measured mean), then goes to the back with
   * a quantum (priorMs) more. Alone, a tenant takes every free slot; while others wait, none runs more than
   * its share of the slots.
   */
  private dispatch (): void {
    let overShare = 0
    while (this.running < this.opts.capacity && this.ring.length > this.ringHead) {
      const t = this.ring[this.ringHead] as Tenant
      const w = this.nextWaiter(t)
      if (w === undefined) {
        this.ringHead++
        t.inRing = false
        t.deficit = Math.min(0, t.deficit) // no credit kept while idle; a debt stays until paid
        this.compactRing()
        continue
      }
      const others = this.ring.length - this.ringHead - 1
      if (others > 0 && t.running >= this.share() && overShare <= others) {
        this.backOfRing(t, w) // over its share of the slots while another tenant waits
        overShare++
        continue
      }
      if (others > 0 && t.deficit <= 0) {
        t.deficit += this.opts.priorMs
        this.backOfRing(t, w)
        continue
      }
      overShare = 0
      this.running++
      t.running++
      t.deficit = others > 0 ? t.deficit - this.cost(t) : 0 // alone, it owes no one
      const grant = w.grant as () => void
      w.grant = null
      w.unsubscribe()
      if (t.waiting.length === t.head) {
        t.waiting.length = 0
        t.head = 0
      }
      if (t.deficit <= 0) this.backOfRing(t, undefined)
      grant()
    }
  }

  /** Moves the ring's head tenant to the back, its next waiter `w` (taken by nextWaiter) put back first. */
  private backOfRing (t: Tenant, w: Waiter | undefined): void {
    if (w !== undefined) t.head--
    this.ringHead++
    this.ring.push(t)
    this.compactRing()
  }

  private nextWaiter (t: Tenant): Waiter | undefined {
    while (t.head < t.waiting.length) {
      const w = t.waiting[t.head] as Waiter
      t.head++
      if (w.grant !== null) return w
    }
    t.waiting.length = 0
    t.head = 0
    return undefined
  }

  private compactRing (): void {
    if (this.ringHead > 1024 && this.ringHead * 2 > this.ring.length) {
      this.ring.splice(0, this.ringHead)
      this.ringHead = 0
    }
  }
}
