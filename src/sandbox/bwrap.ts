/**
 * The bubblewrap command line for one Python jail, and the probe that says whether jails can run here.
 * Every namespace unshared (no network), the system read-only, a private size-capped /tmp, no /etc,
 * an empty environment, pid 1 = the harness server (so nothing inside can kill it), dies with its parent.
 * The unprivileged uid is entered before bwrap by the spawn itself (uid/gid options; libuv drops groups).
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const BWRAP = '/usr/bin/bwrap'
export const PYTHON = '/usr/bin/python3'

const HARNESS_DIR = fileURLToPath(new URL('../../sandboxes/python/', import.meta.url))
/** Harness files, concatenated in this order into one `python3 -c` program (no file is mounted). */
const HARNESS_FILES = ['codec.py', 'candidate.py', 'judge.py', 'forms.py', 'server.py']

let harness: string | undefined
export function pythonHarness (): string {
  harness ??= HARNESS_FILES.map(f => readFileSync(HARNESS_DIR + f, 'utf8')).join('\n')
  return harness
}

export interface JailSpec {
  tmpfsBytes: number
  nproc: number
}

export function bwrapArgs (spec: JailSpec): string[] {
  const ro = ['/usr']
  const args = [
    '--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--clearenv',
    ...ro.flatMap(p => ['--ro-bind', p, p]),
    '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/bin', '/bin'
  ]
  if (existsSync('/usr/lib64')) args.push('--symlink', 'usr/lib64', '/lib64')
  args.push(
    '--proc', '/proc', '--dev', '/dev',
    '--size', String(spec.tmpfsBytes), '--tmpfs', '/tmp',
    '--remount-ro', '/dev', '--remount-ro', '/',
    '--chdir', '/tmp', '--as-pid-1',
    PYTHON, '-S', '-I', '-B', '-c', pythonHarness(), JSON.stringify({ nproc: spec.nproc })
  )
  return args
}

/** Why Python jails cannot run here, or null when they can. Never falls back to anything weaker. */
export function jailUnavailableReason (bwrap = BWRAP): string | null {
  if (process.platform !== 'linux') return 'python sandbox needs Linux (bubblewrap)'
  try { accessSync(bwrap, constants.X_OK) } catch {
    return `bubblewrap not found at ${bwrap}: run npm run setup (apt-get install bubblewrap)`
  }
  try { accessSync(PYTHON, constants.X_OK) } catch { return `${PYTHON} not found` }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'the python sandbox switches each pool slot to its own uid and must be started as root'
  }
  return null
}
