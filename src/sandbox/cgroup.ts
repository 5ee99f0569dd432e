/**
 * Optional per-slot cgroup (v1 memory+pids hierarchies, or v2 unified): one memory cap for all processes
 * of a jail slot together (RLIMIT_AS is per process, so a fork bomb of allocators could otherwise sum past
 * the host's RAM) and pids.max next to the slot uid's RLIMIT_NPROC. Created once per slot, owned by the
 * slot uid so the jail's first process can move itself in before exec'ing bwrap (every later process of the
 * jail inherits it). Where cgroups cannot be written, slots run with the rlimits alone.
 */
import { chownSync, existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = '/sys/fs/cgroup'
const NAME = 'reward-verifier'

export interface SlotCgroup {
  /** cgroup.procs files the jail's first process writes its pid into (one per v1 hierarchy). */
  procs: string[]
  remove: () => void
}

function write (file: string, value: string): void {
  writeFileSync(file, value)
}

/** Our own cgroup path in a v1 hierarchy (from /proc/self/cgroup), so slots nest under it. */
function ownPath (controller: string): string {
  const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find(l => l.split(':')[1]?.split(',').includes(controller))
  return line?.split(':')[2] ?? '/'
}

function makeDir (dir: string, uid: number): void {
  mkdirSync(dir, { recursive: true })
  chownSync(join(dir, 'cgroup.procs'), uid, uid)
}

export function createSlotCgroup (uid: number, memoryBytes: number, pids: number): SlotCgroup | null {
  try {
    if (existsSync(join(ROOT, 'cgroup.controllers'))) {
      const base = join(ROOT, readFileSync('/proc/self/cgroup', 'utf8').match(/^0::(.*)$/m)?.[1] ?? '/')
      const dir = join(base, `${NAME}-${uid}`)
      makeDir(dir, uid)
      write(join(dir, 'memory.max'), String(memoryBytes))
      write(join(dir, 'pids.max'), String(pids))
      return { procs: [join(dir, 'cgroup.procs')], remove: () => { try { rmdirSync(dir) } catch { /* busy or gone */ } } }
    }
    const mem = join(ROOT, 'memory', ownPath('memory'), `${NAME}-${uid}`)
    const pid = join(ROOT, 'pids', ownPath('pids'), `${NAME}-${uid}`)
    makeDir(mem, uid)
    write(join(mem, 'memory.limit_in_bytes'), String(memoryBytes))
    try { write(join(mem, 'memory.memsw.limit_in_bytes'), String(memoryBytes)) } catch { /* no swap accounting */ }
    const procs = [join(mem, 'cgroup.procs')]
    try {
      makeDir(pid, uid)
      write(join(pid, 'pids.max'), String(pids))
      procs.push(join(pid, 'cgroup.procs'))
    } catch { /* no pids hierarchy: RLIMIT_NPROC still caps the slot */ }
    return {
      procs,
      remove: () => { for (const d of [mem, pid]) { try { rmdirSync(d) } catch { /* busy or gone */ } } }
    }
  } catch {
    return null
  }
}

/** The command that enters the cgroup(s), then becomes bwrap: ['/bin/sh', '-c', script, 'sh', bwrap, ...args]. */
export function enterThenExec (cg: SlotCgroup | null, bwrap: string, args: string[]): [string, string[]] {
  if (cg === null) return [bwrap, args]
  const script = cg.procs.map((p, i) => `echo $$ > "$${i + 1}" || exit 97`).join('; ') + `; shift ${cg.procs.length}; exec "$@"`
  return ['/bin/sh', ['-c', script, 'sh', ...cg.procs, bwrap, ...args]]
}
