/**
 * A pool of warm Python jails, one per slot. Each slot owns two uids: the judge's (uidBase + 2*slot: the
 * jail's first process and the judge) and the solution's (uidBase + 2*slot + 1), so RLIMIT_NPROC gives every
 * slot its own process budget, a fork bomb in one cannot starve the others, and no solution can signal,
 * ptrace or prlimit its judge. Jobs queue when every slot is busy (a burst waits instead of thrashing). A
 * jail is replaced after `maxJobs` jobs or any fault, and the replacement starts at once; a jail that went
 * away before a job could start hands that job back to the queue (at most twice).
 * A service not running as root takes the slots' uids from its user's subordinate ids (subids.ts) and its CPU
 * accounting from a delegated cgroup v2 subtree, or else from /proc (cgroup.ts procAccounting); where the
 * separation cannot hold (no user namespaces, no newuidmap, no subordinate ids) the pool refuses to start
 * and `unavailable` says why.
 */
import { accessSync, constants } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { claimUidRange, type UidRange } from './uid-range.ts'
import { Jail } from './jail.ts'
import { BWRAP, bwrapMissing } from './bwrap.ts'
import { createSlotCgroup, jailCpuMs, procAccounting, type SlotCgroup } from './cgroup.ts'
import { nprocRefused, subordinateIds, type SubIds } from './subids.ts'
import type { PythonJob, RawJobResult } from './types.ts'
import meta from '../../sandboxes/python/metadata.json' with { type: 'json' }

export interface PythonPoolOptions {
  /** Concurrent jails; default: the machine's parallelism. */
  slots?: number
  /**
   * First uid of the slots' uid range (slot i: judge uidBase + 2i, solution uidBase + 2i + 1). A non-root
   * service takes its subordinate ids instead (from uidBase when that lies inside them).
   */
  uidBase?: number
  /** Processes per slot (RLIMIT_NPROC for the slot's uid). */
  nproc?: number
  /** Size of each jail's private /tmp. */
  tmpfsBytes?: number
  /** Jobs a jail runs before it is replaced. */
  maxJobs?: number
  /** Path of the bwrap binary (default /usr/bin/bwrap). */
  bwrap?: string
  /** Memory of all processes of one slot together (a cgroup, where cgroups are writable). Default 1024. */
  slotMemoryMb?: number
}

interface Waiter {
  job: PythonJob
  backstopMs: number
  signal?: AbortSignal
  resolve: (r: RawJobResult) => void
  tries: number
}

/**
 * Whether a non-root launcher can move itself into the slot's cgroup: cgroup v2 lets it only with write access
 * to cgroup.procs of the common ancestor of where it is (the service's cgroup) and the slot (its child).
 */
function delegated (cg: SlotCgroup): boolean {
  if (cg.kind !== 'v2') return false
  try {
    accessSync(join(cg.cpuDir, '..', 'cgroup.procs'), constants.W_OK)
    return true
  } catch {
    return false
  }
}

export class PythonPool {
  readonly slots: number
  private readonly uidBase: number
  /** Host gid of a slot uid u: u + gidDelta (0 as root; subgid start - subuid start otherwise). */
  private readonly gidDelta: number
  private readonly uidRange: UidRange | null
  private readonly spec: { tmpfsBytes: number, nproc: number, bwrap: string }
  private readonly maxJobs: number
  private readonly jails: Array<Jail | null>
  private readonly cgroups: Array<SlotCgroup | undefined>
  private readonly slotMemoryBytes: number
  private readonly queue: Waiter[] = []
  private closed = false
  readonly unavailable: string | null
  /** Whether the service runs as root (else: subordinate ids, and a delegated cgroup or /proc accounting). */
  readonly root: boolean

  constructor (opts: PythonPoolOptions = {}) {
    this.slots = Math.max(1, opts.slots ?? availableParallelism())
    this.root = process.getuid?.() === 0
    this.spec = { tmpfsBytes: opts.tmpfsBytes ?? meta.jail.tmpfs_bytes, nproc: opts.nproc ?? meta.jail.nproc_per_slot, bwrap: opts.bwrap ?? BWRAP }
    const sub = this.root ? null : subordinateIds(this.slots * 2)
    let why = bwrapMissing(this.spec.bwrap) ?? (typeof sub === 'string' ? sub : null) ??
      (this.root ? null : nprocRefused(this.slots, this.spec.nproc))
    // Claim a range of uids no other process on this host uses (see uid-range.ts).
    let range: UidRange | null = null
    if (why === null) {
      try { range = this.claim(opts.uidBase ?? meta.jail.uid_base, sub as SubIds | null) } catch { /* reported below */ }
      if (range === null) why = 'no free uid range for the jail slots'
    }
    this.uidRange = range
    this.uidBase = range?.base ?? opts.uidBase ?? meta.jail.uid_base
    this.gidDelta = sub !== null && typeof sub !== 'string' ? sub.gidDelta : 0
    this.maxJobs = opts.maxJobs ?? 1000
    this.jails = new Array<Jail | null>(this.slots).fill(null)
    this.cgroups = new Array<SlotCgroup | undefined>(this.slots).fill(undefined)
    this.slotMemoryBytes = (opts.slotMemoryMb ?? 1024) * (1 << 20)
    for (let i = 0; i < this.slots && why === null; i++) {
      const judge = this.uidBase + 2 * i
      const cg = createSlotCgroup(judge, this.slotMemoryBytes, this.spec.nproc)
      // As root a cgroup is required; a non-root service without a delegated subtree accounts CPU from /proc.
      if (typeof cg !== 'string' && (this.root || delegated(cg))) this.cgroups[i] = cg
      else if (this.root) why = cg as string
      else {
        if (typeof cg !== 'string') cg.remove()
        this.cgroups[i] = procAccounting([judge, judge + 1])
      }
    }
    if (why !== null) for (const cg of this.cgroups) cg?.remove()
    this.unavailable = why
  }

  /** As root: uids from `base` up; otherwise inside the user's subordinate ids (from `base` if it lies inside). */
  private claim (base: number, sub: SubIds | null): UidRange {
    if (sub === null) return claimUidRange(base, this.slots * 2)
    return claimUidRange(base >= sub.base && base < sub.end ? base : sub.base, this.slots * 2, sub.end)
  }

  /** Starts every slot's jail; resolves when all reported ready (rejects with the reason otherwise). */
  async warm (): Promise<void> {
    if (this.unavailable) throw new Error(this.unavailable)
    await Promise.all(this.jails.map((_, i) => this.jailFor(i).whenReady()))
  }

  run (job: PythonJob, backstopMs: number, signal?: AbortSignal): Promise<RawJobResult> {
    if (this.unavailable) return Promise.resolve({ status: 'error', cases: [], reason: this.unavailable, wall_ms: 0 })
    if (this.closed) return Promise.resolve({ status: 'error', cases: [], reason: 'sandbox pool closed', wall_ms: 0 })
    return new Promise(resolve => {
      const w: Waiter = { job, backstopMs, resolve, tries: 0 }
      if (signal) w.signal = signal
      this.queue.push(w)
      this.dispatch()
    })
  }

  close (): void {
    this.closed = true
    for (const w of this.queue.splice(0)) w.resolve({ status: 'error', cases: [], reason: 'sandbox pool closed', wall_ms: 0 })
    for (const j of this.jails) j?.kill()
    this.jails.fill(null)
    const cgs = this.cgroups.splice(0)
    // The uids are given back only after the jails' processes had time to die.
    const range = this.uidRange
    setTimeout(() => { for (const cg of cgs) cg?.remove(); range?.release() }, 500).unref()
  }

  private jailFor (slot: number): Jail {
    let j = this.jails[slot]
    if (!j || j.dead || (j.jobs >= this.maxJobs && !j.busy)) {
      j?.kill()
      const cg = this.cgroups[slot] as SlotCgroup
      j = new Jail({
        ...this.spec,
        judgeUid: this.uidBase + 2 * slot,
        solutionUid: this.uidBase + 2 * slot + 1,
        judgeGid: this.uidBase + 2 * slot + this.gidDelta,
        solutionGid: this.uidBase + 2 * slot + 1 + this.gidDelta,
        cgroupProcs: cg.procs,
        cpuCgroup: cg.cpuDir
      }, cg)
      this.jails[slot] = j
      j.whenReady().then(() => this.dispatch(), err => this.startFailed(err as Error))
    }
    return j
  }

  /** CPU time (ms) the jail of a slot has used so far (its cgroup: the solution's processes, the judge, pid 1), or null. */
  jailCpuMs (slot: number): number | null {
    const cg = this.cgroups[slot]
    return cg === undefined ? null : jailCpuMs(cg)
  }

  /** How the slots' CPU time is counted: 'cgroup' (v1 or v2), or 'proc' (no cgroup: a non-root service). */
  get cpuAccounting (): 'cgroup' | 'proc' {
    return this.cgroups.some(c => c?.kind === 'proc') ? 'proc' : 'cgroup'
  }

  /** Which slots have a memory cap of their own (for readiness reports). */
  get cgroupSlots (): number {
    return this.cgroups.filter(c => c?.memory === true).length
  }

  /** A jail that cannot start is a sandbox fault: the oldest waiter gets status 'error', then we retry. */
  private startFailed (err: Error): void {
    if (this.closed) return
    this.queue.shift()?.resolve({ status: 'error', cases: [], reason: `sandbox failed to start: ${err.message}`, wall_ms: 0 })
    setTimeout(() => this.dispatch(), 50).unref()
  }

  private dispatch (): void {
    for (let slot = 0; slot < this.slots && this.queue.length > 0; slot++) {
      const jail = this.jailFor(slot)
      if (!jail.ready || jail.busy) continue
      const w = this.queue.shift() as Waiter
      if (w.signal?.aborted) {
        w.resolve({ status: 'error', cases: [], reason: 'aborted', wall_ms: 0 })
        slot--
        continue
      }
      this.runOn(slot, jail, w)
    }
  }

  private runOn (slot: number, jail: Jail, w: Waiter): void {
    jail.run(w.job, w.backstopMs, w.signal).then(async r => {
      if (r.requeue === true && w.tries < 2 && !this.closed && w.signal?.aborted !== true) {
        w.tries++
        this.queue.unshift(w)
      } else {
        delete r.requeue
        w.resolve(r)
      }
      if (this.closed) return
      if (jail.dead || jail.jobs >= this.maxJobs) {
        jail.kill()
        if (this.jails[slot] === jail) this.jails[slot] = null
      }
      this.dispatch()
    }, () => {})
  }
}
