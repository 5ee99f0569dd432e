/**
 * Per-slot cgroups (v1 memory+pids+cpuacct hierarchies, or v2 unified), created by the service (root). The
 * slot cgroup holds every process of one jail (the launcher moves itself in before anything else): one
 * memory cap for all of them together (RLIMIT_AS is per process), pids.max beside RLIMIT_NPROC, and a CPU
 * counter (cpuacct.usage, or cpu.stat usage_usec) of the whole jail, dead processes included. The judge
 * reads it inside the jail (bound read-only at /cg) and subtracts its own and pid 1's run time: the rest is
 * the solution's, so a solution that ignores every signal is still killed on time. (Moving each solution
 * process into a cgroup of its own was measured at 10-20 ms per process on a loaded host: the migration
 * waits for an RCU grace period.) The host reads the counter when its backstop fires.
 * CPU accounting is required: where it cannot be set up the Python pool refuses to start and says why. A
 * service not running as root uses a delegated cgroup v2 subtree where it has one (its own cgroup writable),
 * and otherwise `procAccounting`: the same whole-jail CPU counter summed from /proc (see procCpuMs).
 *
 * CPU weight (CODE_CPU_SHARES): every sandbox process (the Python jails' and the JavaScript processes') can
 * be put in one `reward-verifier-sandboxes` cgroup of the cpu controller, whose cpu.shares (v1) or cpu.weight
 * (v2) is the weight of all of them together against each thread of the service (1024 each): under
 * contention the math worker and the HTTP thread keep the CPU, and the sandboxes still take every idle
 * cycle (shares are no cap). Best effort: where the cpu controller is not writable, nothing changes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const ROOT = '/sys/fs/cgroup'
const NAME = 'reward-verifier'

export interface SlotCgroup {
  /** cgroup.procs files the launcher writes its pid into (one per v1 hierarchy). */
  procs: string[]
  /** Host directory of the slot's CPU-accounting cgroup (bound read-only into the jail at /cg); '' for 'proc'. */
  cpuDir: string
  /** 'v1': cpuacct.usage in ns; 'v2': cpu.stat usage_usec; 'proc': no cgroup, /proc of the slot's uids. */
  kind: 'v1' | 'v2' | 'proc'
  /** 'proc' only: the host uids of the slot's processes (its judge and solution uids). */
  uids?: number[]
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

interface CpuGroup { procs: string, dir: string }
let cpuGroup: CpuGroup | null = null

/**
 * Creates (or updates) the sandboxes' cpu cgroup with `shares` (0: none; sandboxes stay in the service's
 * cgroup). Called once at start, before the pools start; returns why it could not be set up, or null.
 */
export function configureSandboxCpu (shares: number): string | null {
  cpuGroup = null
  if (shares <= 0) return null
  try {
    if (existsSync(join(ROOT, 'cgroup.controllers'))) {
      const dir = join(ROOT, readFileSync('/proc/self/cgroup', 'utf8').match(/^0::(.*)$/m)?.[1] ?? '/', `${NAME}-sandboxes`)
      mkdirs(dir)
      // v2 weights run 1..10000 with 100 for a default task; v1 shares 2..262144 with 1024
      writeFileSync(join(dir, 'cpu.weight'), String(Math.max(1, Math.min(10_000, Math.round(shares * 100 / 1024)))))
      cpuGroup = { procs: join(dir, 'cgroup.procs'), dir }
      return null
    }
    const root = v1Root('cpu')
    if (root === null) return 'no cgroup v1 cpu hierarchy under /sys/fs/cgroup'
    const dir = join(root, ownPath('cpu'), `${NAME}-sandboxes`)
    mkdirs(dir)
    writeFileSync(join(dir, 'cpu.shares'), String(Math.max(2, Math.min(262_144, shares))))
    cpuGroup = { procs: join(dir, 'cgroup.procs'), dir }
    return null
  } catch (err) {
    return `cannot set up the sandboxes' cpu cgroup: ${(err as Error).message}`
  }
}

/** Moves a sandbox process (all its threads) into the sandboxes' cpu cgroup, when there is one. */
export function joinSandboxCpu (pid: number | undefined): void {
  if (cpuGroup === null || pid === undefined) return
  try { writeFileSync(cpuGroup.procs, String(pid)) } catch { /* gone already, or not permitted: its default weight */ }
}

/** cgroup.procs of the sandboxes' cpu cgroup for a slot's launcher, when it is a hierarchy other than `cpuacctDir`'s. */
function cpuProcsFor (cpuacctDir: string): string[] {
  if (cpuGroup === null) return []
  try {
    const sameHierarchy = realpathSync(join(cpuacctDir, '..')) === realpathSync(join(cpuGroup.dir, '..'))
    if (!sameHierarchy) return [cpuGroup.procs]
    // cpu and cpuacct mounted together: the slot's own cgroup carries the weight (one per slot)
    writeFileSync(join(cpuacctDir, 'cpu.shares'), readFileSync(join(cpuGroup.dir, 'cpu.shares'), 'utf8').trim())
  } catch { /* default weight */ }
  return []
}

/**
 * Sets a memory cgroup's cap (v2 `memory.max` with no swap; v1 `memory.limit_in_bytes` and, where swap is
 * accounted, `memory.memsw.limit_in_bytes`). v1 refuses a memory limit above the memsw limit, so the two writes
 * are ordered by direction: a slot cgroup left by an earlier process with a smaller cap is raised, not lost.
 */
export function writeMemoryLimit (dir: string, bytes: number): void {
  if (existsSync(join(dir, 'memory.max'))) {
    writeFileSync(join(dir, 'memory.max'), String(bytes))
    try { writeFileSync(join(dir, 'memory.swap.max'), '0') } catch { /* no swap controller */ }
    return
  }
  const memsw = join(dir, 'memory.memsw.limit_in_bytes')
  const hasSw = existsSync(memsw)
  let cur = 0
  try { cur = Number(readFileSync(join(dir, 'memory.limit_in_bytes'), 'utf8')) } catch { /* unknown */ }
  if (hasSw && bytes > cur) writeFileSync(memsw, String(bytes))
  writeFileSync(join(dir, 'memory.limit_in_bytes'), String(bytes))
  if (hasSw && bytes <= cur) writeFileSync(memsw, String(bytes))
}

/**
 * The slot's cgroups, or a string saying why CPU accounting cannot be set up here. `joinsWeight`: its launcher
 * (root) also moves itself into the sandboxes' shared cpu cgroup. The compiled languages' slots pass false:
 * their launcher runs as the slot uid, which must own every cgroup.procs it writes, and one shared file cannot
 * be owned by every slot (chowning it to each in turn left all but the last slot unable to start a jail).
 */
export function createSlotCgroup (judgeUid: number, memoryBytes: number, pids: number, joinsWeight = true): SlotCgroup | string {
  try {
    if (existsSync(join(ROOT, 'cgroup.controllers'))) {
      const base = join(ROOT, readFileSync('/proc/self/cgroup', 'utf8').match(/^0::(.*)$/m)?.[1] ?? '/')
      const dir = join(base, `${NAME}-${judgeUid}`)
      mkdirs(dir)
      let memory = true
      try { writeMemoryLimit(dir, memoryBytes) } catch { memory = false }
      try { writeFileSync(join(dir, 'pids.max'), String(pids)) } catch { /* RLIMIT_NPROC still caps the slot */ }
      readFileSync(join(dir, 'cpu.stat'), 'utf8')
      if (cpuGroup !== null) { try { writeFileSync(join(dir, 'cpu.weight'), readFileSync(join(cpuGroup.dir, 'cpu.weight'), 'utf8').trim()) } catch { /* cpu controller not delegated */ } }
      return { procs: [join(dir, 'cgroup.procs')], cpuDir: dir, kind: 'v2', memory, remove: () => rmdirs([dir]) }
    }
    const cpuRoot = v1Root('cpuacct')
    if (cpuRoot === null) return 'no cgroup v1 cpuacct hierarchy under /sys/fs/cgroup (needed to enforce CPU time)'
    const cpu = join(cpuRoot, ownPath('cpuacct'), `${NAME}-${judgeUid}`)
    try { rmdirSync(join(cpu, 'solution')) } catch { /* from an earlier layout, or absent */ }
    mkdirs(cpu)
    readFileSync(join(cpu, 'cpuacct.usage'), 'utf8')
    const procs = [join(cpu, 'cgroup.procs'), ...(joinsWeight ? cpuProcsFor(cpu) : [])]
    const dirs = [cpu]
    let memory = false
    const memRoot = v1Root('memory')
    if (memRoot !== null) {
      try {
        const mem = join(memRoot, ownPath('memory'), `${NAME}-${judgeUid}`)
        mkdirs(mem)
        writeMemoryLimit(mem, memoryBytes)
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

/**
 * No cgroup (a non-root service without a delegated subtree): the slot's processes are found by their host
 * uids, which are the slot's alone (uid-range.ts), and its CPU counter is summed from /proc (procCpuMs).
 */
export function procAccounting (uids: number[]): SlotCgroup {
  return { procs: [], cpuDir: '', kind: 'proc', memory: false, uids, remove: () => {} }
}

const TICKS_PER_MS = 100 / 1000

/**
 * Pids on the host owned by one of `uids`: the owner of /proc/<pid> is the process's effective uid, or, for a
 * process that is not dumpable, the host uid of the root of its user namespace (a jail's judge uid).
 */
export function pidsOfUids (uids: number[]): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) > 57) continue
    try { if (uids.includes(statSync(`/proc/${name}`).uid)) out.push(Number(name)) } catch { /* gone */ }
  }
  return out
}

/**
 * CPU time (ms) of the whole jail without a cgroup: every process of the jail descends from its pid 1 and is
 * reaped inside it, so the CPU of the dead is in a live ancestor's cutime/cstime; the sum over the live
 * processes of utime + stime + cutime + cstime (/proc/<pid>/stat, clock ticks) is the jail's total, dead
 * processes included, up to one process's time while a zombie is being reaped.
 */
export function procCpuMs (uids: number[]): number {
  let ticks = 0
  for (const pid of pidsOfUids(uids)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
    } catch { /* gone */ }
  }
  return ticks / TICKS_PER_MS
}

/** CPU time (ms) the slot's jail has used so far (all its processes), or null when unreadable. */
export function jailCpuMs (cg: SlotCgroup): number | null {
  try {
    if (cg.kind === 'proc') return procCpuMs(cg.uids ?? [])
    if (cg.kind === 'v1') return Number(readFileSync(join(cg.cpuDir, 'cpuacct.usage'), 'utf8').trim()) / 1e6
    const m = /^usage_usec (\d+)$/m.exec(readFileSync(join(cg.cpuDir, 'cpu.stat'), 'utf8'))
    return m ? Number(m[1]) / 1000 : null
  } catch {
    return null
  }
}
