/**
 * Per-slot cgroups (v1 memory+pids+cpuacct hierarchies, or v2 unified), created by the service (root). The
 * slot cgroup holds every process of one jail (the launcher moves itself in before anything else): one
 * memory cap for all of them together (RLIMIT_AS is per process), pids.max beside RLIMIT_NPROC, and a CPU
 * counter (cpuacct.usage, or cpu.stat usage_usec) of the whole jail, dead processes included. The judge
 * reads it inside the jail (bound read-only at /cg) and subtracts its own and pid 1's run time: the rest is
 * the solution's, so a solution that ignores every signal is still killed on time. (Moving each solution
 * process into a cgroup of its own was measured at 10-20 ms per process on a loaded host: the migration
 * waits for an RCU grace period.) The host reads the counter when its backstop fires.
 * CPU accounting is required: where it cannot be set up the Python pool refuses to start and says why.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const ROOT = '/sys/fs/cgroup'
const NAME = 'reward-verifier'

export interface SlotCgroup {
  /** cgroup.procs files the launcher writes its pid into (one per v1 hierarchy). */
  procs: string[]
  /** Host directory of the slot's CPU-accounting cgroup (bound read-only into the jail at /cg). */
  cpuDir: string
  /** 'v1': cpuacct.usage in ns; 'v2': cpu.stat usage_usec. */
  kind: 'v1' | 'v2'
  /** Whether the memory cap could be set (else the rlimits alone bound memory). */
  memory: boolean
  remove: () => void
}

/** Our own cgroup path in a v1 hierarchy (from /proc/self/cgroup), so slots nest under it. */
function ownPath (controller: string): string {
  const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find(l => l.split(':')[1]?.split(',').includes(controller))
  return line?.split(':')[2] ?? '/'
}

function v1Root (controller: string): string | null {
  for (const d of [controller, 'cpu,cpuacct', 'cpuacct,cpu']) {
    if (existsSync(join(ROOT, d, 'cgroup.procs'))) return join(ROOT, d)
  }
  return null
}

/**
 * mkdir -p with one mkdir per missing level, so an error is thrown, not retried. Node 20's
 * mkdirSync(..., { recursive: true }) spins forever when a parent exists but mkdir of the child answers
 * ENOENT, which sysfs and procfs do (seen: `ip netns exec` mounts a fresh sysfs on /sys, with an empty
 * /sys/fs/cgroup; the sandboxes' warm-up then blocked the event loop and the API never listened).
 */
export function mkdirs (dir: string): void {
  const missing: string[] = []
  for (let d = dir; !existsSync(d) && d !== dirname(d); d = dirname(d)) missing.unshift(d)
  for (const d of missing) {
    try { mkdirSync(d) } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err }
  }
}

function rmdirs (dirs: string[]): void {
  for (const d of dirs) { try { rmdirSync(d) } catch { /* busy or gone */ } }
}

/** The slot's cgroups, or a string saying why CPU accounting cannot be set up here. */
export function createSlotCgroup (judgeUid: number, memoryBytes: number, pids: number): SlotCgroup | string {
  try {
    if (existsSync(join(ROOT, 'cgroup.controllers'))) {
      const base = join(ROOT, readFileSync('/proc/self/cgroup', 'utf8').match(/^0::(.*)$/m)?.[1] ?? '/')
      const dir = join(base, `${NAME}-${judgeUid}`)
      mkdirs(dir)
      let memory = true
      try { writeFileSync(join(dir, 'memory.max'), String(memoryBytes)) } catch { memory = false }
      try { writeFileSync(join(dir, 'pids.max'), String(pids)) } catch { /* RLIMIT_NPROC still caps the slot */ }
      readFileSync(join(dir, 'cpu.stat'), 'utf8')
      return { procs: [join(dir, 'cgroup.procs')], cpuDir: dir, kind: 'v2', memory, remove: () => rmdirs([dir]) }
    }
    const cpuRoot = v1Root('cpuacct')
    if (cpuRoot === null) return 'no cgroup v1 cpuacct hierarchy under /sys/fs/cgroup (needed to enforce CPU time)'
    const cpu = join(cpuRoot, ownPath('cpuacct'), `${NAME}-${judgeUid}`)
    try { rmdirSync(join(cpu, 'solution')) } catch { /* from an earlier layout, or absent */ }
    mkdirs(cpu)
    readFileSync(join(cpu, 'cpuacct.usage'), 'utf8')
    const procs = [join(cpu, 'cgroup.procs')]
    const dirs = [cpu]
    let memory = false
    const memRoot = v1Root('memory')
    if (memRoot !== null) {
      try {
        const mem = join(memRoot, ownPath('memory'), `${NAME}-${judgeUid}`)
        mkdirs(mem)
        writeFileSync(join(mem, 'memory.limit_in_bytes'), String(memoryBytes))
        try { writeFileSync(join(mem, 'memory.memsw.limit_in_bytes'), String(memoryBytes)) } catch { /* no swap accounting */ }
        procs.push(join(mem, 'cgroup.procs'))
        dirs.push(mem)
        memory = true
      } catch { /* rlimits alone */ }
    }
    const pidRoot = v1Root('pids')
    if (pidRoot !== null) {
      try {
        const pid = join(pidRoot, ownPath('pids'), `${NAME}-${judgeUid}`)
        mkdirs(pid)
        writeFileSync(join(pid, 'pids.max'), String(pids))
        procs.push(join(pid, 'cgroup.procs'))
        dirs.push(pid)
      } catch { /* RLIMIT_NPROC still caps the slot */ }
    }
    return { procs, cpuDir: cpu, kind: 'v1', memory, remove: () => rmdirs(dirs) }
  } catch (err) {
    return `cannot create the per-slot CPU accounting cgroup (${(err as Error).message}); the service must run as root with a writable /sys/fs/cgroup`
  }
}

/** CPU time (ms) the slot's jail has used so far (all its processes), or null when unreadable. */
export function jailCpuMs (cg: SlotCgroup): number | null {
  try {
    if (cg.kind === 'v1') return Number(readFileSync(join(cg.cpuDir, 'cpuacct.usage'), 'utf8').trim()) / 1e6
    const m = /^usage_usec (\d+)$/m.exec(readFileSync(join(cg.cpuDir, 'cpu.stat'), 'utf8'))
    return m ? Number(m[1]) / 1000 : null
  } catch {
    return null
  }
}
