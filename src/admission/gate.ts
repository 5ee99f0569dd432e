/**
 * A bounded, fair queue in front of a pool (math workers, code sandboxes): the layer above the pools that
 * decides who runs next and who is told to come back later.
 *
 * - At most `capacity` jobs run at once. Jobs wait per tenant (an API key, or the client address when auth
 *   is off) and slots are handed out round-robin across tenants, so one tenant's backlog never queues in
 *   front of another's.
 * - While several tenants want slots, none holds more than its share (capacity / active tenants, at least
 *   one): a tenant whose jobs are slow (sleeping code, hostile math at its deadline) cannot take every slot
 *   one grant at a time.
 * - admit() is asked once per request, before any work: a tenant whose backlog would wait longer than
 *   maxWaitMs (estimated from its own recent cost per job) or hold more than maxQueued jobs is refused with
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
  costMs: number
  costAt: number
  lastSeen: number
  inRing: boolean
}

/** Tenants seen within this window count as active for shares. */
const ACTIVE_MS = 2000
/** A tenant's measured cost decays back toward the prior with this half-life. */
const COST_HALF_LIFE_MS = 30_000

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
      t = { name, waiting: [], head: 0, running: 0, admitted: 0, costMs: this.opts.priorMs, costAt: 0, lastSeen: 0, inRing: false }
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
      else if (t.costMs === this.opts.priorMs || now - t.costAt > 10 * COST_HALF_LIFE_MS) this.tenants.delete(name)
    }
    return Math.max(1, n)
  }

  private share (): number {
    return Math.max(1, Math.floor(this.opts.capacity / this.activeTenants()))
  }

  private cost (t: Tenant): number {
    if (t.costAt === 0) return t.costMs
    const decay = Math.pow(0.5, (Date.now() - t.costAt) / COST_HALF_LIFE_MS)
    return this.opts.priorMs + (t.costMs - this.opts.priorMs) * decay
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
    t.costMs = t.costAt === 0 ? Math.max(ms, this.opts.priorMs * 0.5) : 0.7 * this.cost(t) + 0.3 * ms
    t.costAt = Date.now()
    t.lastSeen = t.costAt
    this.dispatch()
  }

  /** Hands free slots out round-robin over tenants with waiters, each up to its share while others wait. */
  private dispatch (): void {
    let skipped = 0
    while (this.running < this.opts.capacity && this.ring.length > this.ringHead) {
      const t = this.ring[this.ringHead] as Tenant
      this.ringHead++
      const w = this.nextWaiter(t)
      if (w === undefined) { t.inRing = false; this.compactRing(); continue }
      const others = this.ring.length - this.ringHead
      if (t.running >= this.share() && others > 0 && skipped <= others) {
        t.head-- // put it back: over its share while another tenant waits
        this.ring.push(t)
        skipped++
        continue
      }
      skipped = 0
      this.running++
      t.running++
      const grant = w.grant as () => void
      w.grant = null
      w.unsubscribe()
      if (t.waiting.length > t.head) this.ring.push(t)
      else { t.inRing = false; t.waiting.length = 0; t.head = 0 }
      this.compactRing()
      grant()
    }
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
