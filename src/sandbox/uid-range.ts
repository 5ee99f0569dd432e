/**
 * Uid ranges claimed per process. A jail slot's uid carries its process budget (RLIMIT_NPROC counts per uid)
 * and names its cgroup, so two processes on one host (the API's embedded worker beside `npm run worker`, or
 * test runs side by side) must never share slot uids: one's cleanup or fork bomb would reach the other's
 * jails. Each PythonPool claims the first free range of `count` uids at or above `base` with one lock file
 * per uid (created exclusively, holding the owner's pid); a lock whose pid is gone is taken over.
 */
import { mkdirSync, openSync, closeSync, writeSync, readFileSync, unlinkSync, accessSync, constants } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'

const MAX_RANGES = 256

function lockDir (): string {
  for (const dir of ['/run/reward-verifier', join(tmpdir(), 'reward-verifier-uids')]) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      accessSync(dir, constants.W_OK)
      return dir
    } catch { /* next */ }
  }
  throw new Error('no writable directory for uid-range locks')
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export interface UidRange { base: number, release: () => void }

/** Takes the lock of one uid (`uid-<n>.lock`), taking over a lock whose owner is dead. */
function lockUid (dir: string, uid: number): (() => void) | null {
  const file = join(dir, `uid-${uid}.lock`)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return () => { try { unlinkSync(file) } catch { /* gone */ } }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      let owner = NaN
      try { owner = Number(readFileSync(file, 'utf8').trim()) } catch { /* released meanwhile */ }
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) return null
      try { unlinkSync(file) } catch { /* raced */ }
    }
  }
  return null
}

/**
 * Claims `count` consecutive uids at or above `base`, in steps of `count`. Every uid has its own lock, so
 * ranges of different sizes (a pool of 2 slots beside one of 3, two uids per slot) never overlap.
 */
export function claimUidRange (base: number, count: number): UidRange {
  const dir = lockDir()
  for (let k = 0; k < MAX_RANGES; k++) {
    const start = base + k * count
    const held: Array<() => void> = []
    for (let u = start; u < start + count; u++) {
      const release = lockUid(dir, u)
      if (release === null) break
      held.push(release)
    }
    if (held.length === count) {
      let released = false
      return { base: start, release: () => { if (!released) { released = true; for (const r of held) r() } } }
    }
    for (const r of held) r()
  }
  throw new Error(`no free range of ${count} uids from ${base} (${MAX_RANGES} ranges taken)`)
}
