/**
 * Uid ranges claimed per process. A jail slot's uid carries its process budget (RLIMIT_NPROC counts per uid)
 * and names its cgroup, so two processes on one host (the API's embedded worker beside `npm run worker`, or
 * test runs side by side) must never share slot uids: one's cleanup or fork bomb would reach the other's
 * jails. Each PythonPool claims the first free range of `count` uids at or above `base` with one lock file
 * per uid (created exclusively, holding the owner's pid); a lock whose pid is gone is taken over.
 */
import { mkdirSync, openSync, closeSync, writeSync, readFileSync, unlinkSync, accessSync, constants, statSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'

const MAX_RANGES = 256

/**
 * Root keeps its locks in /run/reward-verifier (or the temp directory); a non-root user in a directory of its
 * own (its subordinate ids are its alone), which must be its own: a directory another user made in a shared
 * /tmp could hand out or withhold the user's ranges.
 */
function lockDir (): string {
  const uid = process.getuid?.() ?? 0
  const dirs = uid === 0 ? ['/run/reward-verifier', join(tmpdir(), 'reward-verifier-uids')] : [join(tmpdir(), `reward-verifier-uids-${uid}`)]
  for (const dir of dirs) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      accessSync(dir, constants.W_OK)
      if (statSync(dir).uid === uid) return dir
    } catch { /* next */ }
  }
  throw new Error(`no writable directory of our own for uid-range locks (${dirs.join(', ')})`)
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
 * Claims `count` consecutive uids at or above `base` (and below `end`), in steps of `count`. Every uid has
 * its own lock, so ranges of different sizes (a pool of 2 slots beside one of 3, two uids per slot) never
 * overlap.
 */
export function claimUidRange (base: number, count: number, end = Infinity): UidRange {
  const dir = lockDir()
  for (let k = 0; k < MAX_RANGES; k++) {
    const start = base + k * count
    if (start + count > end) break
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
  throw new Error(`no free range of ${count} uids from ${base}${end === Infinity ? '' : ` below ${end}`} (every range is taken)`)
}
