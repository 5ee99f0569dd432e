/**
 * Jail slots for compiled languages: each slot is its own uid (from a claimed uid range, see uid-range.ts)
 * with its own cgroup (memory + pids). A slot runs one jailed process at a time (a compile, a test, or a
 * checker), so the host can set the cgroup's memory cap for that process and tell afterwards whether the
 * cgroup's OOM killer ended it. Where cgroups cannot be written, `cgroup` is null and callers fall back to
 * RLIMIT_AS (README: fallback).
 */
import { chownSync, existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { claimUidRange, type UidRange } from '../uid-range.ts'
import { createSlotCgroup, writeMemoryLimit, type SlotCgroup } from '../cgroup.ts'

export interface Slot {
  uid: number
  cgroup: SlotCgroup | null
}

export class SlotPool {
  readonly size: number
  readonly unavailable: string | null
  private readonly range: UidRange | null
  private readonly free: Slot[] = []
  private readonly all: Slot[] = []
  private readonly waiters: Array<(s: Slot) => void> = []
  private closed = false

  constructor (base: number, size: number, pids: number, useCgroups = true) {
    this.size = Math.max(1, size)
    let range: UidRange | null = null
    try { range = claimUidRange(base, this.size) } catch { /* reported by unavailable */ }
    this.range = range
    this.unavailable = range === null ? `no free range of ${this.size} uids from ${base}` : null
    if (range === null) return
    for (let i = 0; i < this.size; i++) {
      const uid = range.base + i
      const cg = useCgroups ? createSlotCgroup(uid, 256 << 20, pids, false) : null
      let cgroup = typeof cg === 'string' ? null : cg
      // the jail's first process runs as the slot uid and moves itself in: it must own cgroup.procs
      try { for (const p of cgroup?.procs ?? []) chownSync(p, uid, uid) } catch { cgroup?.remove(); cgroup = null }
      const slot = { uid, cgroup }
      this.all.push(slot)
      this.free.push(slot)
    }
  }

  get cgroups (): boolean { return this.all.length > 0 && this.all.every(s => s.cgroup !== null) }

  /** Every slot's memory is capped by its cgroup (else runs fall back to RLIMIT_AS: README "Memory"). */
  get memoryCgroups (): boolean { return this.all.length > 0 && this.all.every(s => s.cgroup?.memory === true) }

  acquire (): Promise<Slot> {
    const s = this.free.pop()
    if (s) return Promise.resolve(s)
    return new Promise(resolve => this.waiters.push(resolve))
  }

  release (s: Slot): void {
    if (this.closed) return
    const w = this.waiters.shift()
    if (w) w(s)
    else this.free.push(s)
  }

  async with<T> (fn: (s: Slot) => Promise<T>): Promise<T> {
    const s = await this.acquire()
    try { return await fn(s) } finally { this.release(s) }
  }

  close (): void {
    this.closed = true
    const all = this.all.splice(0)
    const range = this.range
    setTimeout(() => { for (const s of all) s.cgroup?.remove(); range?.release() }, 500).unref()
  }
}

/** The memory hierarchy's directory of a slot cgroup (v2: the unified one). */
function memDir (cg: SlotCgroup): string | null {
  for (const p of cg.procs) {
    const d = dirname(p)
    if (existsSync(join(d, 'memory.max')) || existsSync(join(d, 'memory.limit_in_bytes'))) return d
  }
  return null
}

function readOomKills (dir: string): number {
  for (const f of ['memory.events', 'memory.oom_control']) {
    try {
      const m = /^oom_kill (\d+)$/m.exec(readFileSync(join(dir, f), 'utf8'))
      if (m) return Number(m[1])
    } catch { /* other version */ }
  }
  try { return Number(readFileSync(join(dir, 'memory.failcnt'), 'utf8')) } catch { return 0 }
}

/** Sets the slot's memory cap for the next process; returns a probe that says whether the OOM killer fired. */
export function armMemory (slot: Slot, bytes: number): (() => boolean) | null {
  const dir = slot.cgroup ? memDir(slot.cgroup) : null
  if (dir === null) return null
  try {
    writeMemoryLimit(dir, bytes)
  } catch {
    return null
  }
  const before = readOomKills(dir)
  return () => readOomKills(dir) > before
}
