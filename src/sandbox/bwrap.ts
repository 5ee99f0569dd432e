/**
 * The command line of one jail, for any language: sandboxes/jail/launch.py (run as root) enters the slot's
 * cgroups and a user namespace mapping exactly two ids (JUDGE = 0 inside = the slot's judge uid; SOLUTION =
 * 1000 inside = the slot's solution uid), then execs bubblewrap as JUDGE: every other namespace unshared (no
 * network), only /usr bound (read-only), a private /tmp (the jail's first process mounts a fresh one per
 * job), no /etc, an empty environment, the slot's CPU counter read-only at /cg, the program as pid 1, dying
 * with its parent. Capabilities kept (inside the user namespace only): SETUID/SETGID (the judge forks a process
 * that drops to SOLUTION), KILL (the judge kills the solution's processes), SYS_ADMIN (a fresh /tmp and
 * IPC namespace per job). The solution's processes have none.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const BWRAP = '/usr/bin/bwrap'
export const PYTHON = '/usr/bin/python3'
/** Ids inside the jail's user namespace (see sandboxes/jail/launch.py). */
export const INSIDE_JUDGE = 0
export const INSIDE_SOLUTION = 1000

const LAUNCHER = fileURLToPath(new URL('../../sandboxes/jail/launch.py', import.meta.url))
const HARNESS_DIR = fileURLToPath(new URL('../../sandboxes/python/', import.meta.url))
/** Harness files, concatenated in this order into one `python3 -c` program (no file is mounted). */
const HARNESS_FILES = ['codec.py', 'candidate.py', 'judge.py', 'forms.py', 'server.py']

let harness: string | undefined
export function pythonHarness (): string {
  harness ??= HARNESS_FILES.map(f => readFileSync(HARNESS_DIR + f, 'utf8')).join('\n')
  return harness
}

export interface JailSpec {
  /** Host uid of the judge and the jail's first process. */
  judgeUid: number
  /** Host uid of the solution's processes (never equal to judgeUid). */
  solutionUid: number
  /** Host cgroup.procs files the launcher enters (the slot's cgroups). */
  cgroupProcs: string[]
  /** Host directory of the slot's CPU-accounting cgroup, bound read-only at /cg ('': none, see cgroup.ts procAccounting). */
  cpuCgroup: string
  /** Host gids of the judge and the solution (default: their uids; a non-root service maps them from /etc/subgid). */
  judgeGid?: number
  solutionGid?: number
  /** Extra read-only binds [host, jail] (compilers, runtimes). */
  roBinds?: Array<[string, string]>
}

export function bwrapArgs (spec: JailSpec, program: string[]): string[] {
  const args = [
    '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts',
    '--die-with-parent', '--new-session', '--clearenv',
    '--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_KILL', '--cap-add', 'CAP_SYS_ADMIN',
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/bin', '/bin'
  ]
  if (existsSync('/usr/lib64')) args.push('--symlink', 'usr/lib64', '/lib64')
  for (const [from, to] of spec.roBinds ?? []) args.push('--ro-bind', from, to)
  args.push(
    '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
    ...(spec.cpuCgroup === '' ? [] : ['--ro-bind', spec.cpuCgroup, '/cg']),
    '--remount-ro', '/dev', '--remount-ro', '/',
    '--chdir', '/tmp', '--as-pid-1',
    ...program
  )
  return args
}

/** [command, args] that starts a jail running `program` as pid 1 (as root, or as a user owning the ids: subids.ts). */
export function jailCommand (spec: JailSpec, program: string[], bwrap = BWRAP): [string, string[]] {
  const cfg = JSON.stringify({
    judge_uid: spec.judgeUid,
    solution_uid: spec.solutionUid,
    judge_gid: spec.judgeGid ?? spec.judgeUid,
    solution_gid: spec.solutionGid ?? spec.solutionUid,
    cgroups: spec.cgroupProcs
  })
  return [PYTHON, ['-S', '-I', '-B', LAUNCHER, cfg, bwrap, ...bwrapArgs(spec, program)]]
}

/** Why no jail can start here whoever runs the service (no Linux, no bubblewrap, no python3), or null. */
export function bwrapMissing (bwrap = BWRAP): string | null {
  if (process.platform !== 'linux') return 'python sandbox needs Linux (bubblewrap)'
  try { accessSync(bwrap, constants.X_OK) } catch {
    return `bubblewrap not found at ${bwrap}: run npm run setup (apt-get install bubblewrap)`
  }
  try { accessSync(PYTHON, constants.X_OK) } catch { return `${PYTHON} not found` }
  return null
}

/**
 * Why jails that need root (the compiled languages' slots) cannot run here, or null when they can. Never
 * falls back to anything weaker. (The Python pool also runs for a non-root user: python-pool.ts, subids.ts.)
 */
export function jailUnavailableReason (bwrap = BWRAP): string | null {
  const missing = bwrapMissing(bwrap)
  if (missing !== null) return missing
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'the compiled languages\' jails run each slot as a host uid of its own: the service must be started as root (only the Python sandbox also runs for a non-root user)'
  }
  return null
}
