/**
 * One jailed process: bwrap (every namespace unshared, no network, /usr read-only, private size-capped /tmp,
 * no /etc but the binds a language names, empty environment) with sandboxes/native/runner.c as pid 1, started
 * as the slot's uid inside the slot's cgroup. The runner applies the rlimits and measures CPU time; this side
 * caps stdout/stderr (kills the jail past output_bytes), feeds stdin, reads the runner's report from fd 3 and
 * keeps a wall-clock backstop of its own that kills the whole jail.
 *
 * Host side only: nothing here judges output; callers compare it outside the jail.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { Readable, Writable } from 'node:stream'
import { BWRAP } from '../bwrap.ts'
import type { SlotCgroup } from '../cgroup.ts'

export interface JailRun {
  uid: number
  cgroup: SlotCgroup | null
  runner: string
  argv: string[]
  env: Record<string, string>
  /** Read-only binds [host, jail]; `rw` binds are writable (the compile jail's /build). */
  binds: Array<[string, string]>
  rw?: Array<[string, string]>
  chdir: string
  stdin: string
  cpuMs: number
  wallMs: number
  nproc: number
  fsizeBytes: number
  nofile: number
  /** RLIMIT_AS in bytes; 0 when a cgroup caps memory. */
  asBytes: number
  stackBytes: number
  tmpfsBytes: number
  outputBytes: number
  /** Call tests: open fd 4 in the jail as a pipe to the host and keep up to this many bytes of it (`result`). */
  resultBytes?: number
  signal?: AbortSignal
}

export interface RunnerReport {
  exit: number | null
  signal: number | null
  cpu_ms: number
  wall_ms: number
  limit: 'cpu' | 'wall_idle' | 'wall_busy' | 'output' | null
  maxrss_kb: number
  exec_errno: number
  /** Warm jails: everything the run left was removed (false: the host tears the jail down). */
  clean?: boolean
}

export interface JailOutcome {
  /** null when the runner gave no report (jail killed by the host, or failed to start). */
  report: RunnerReport | null
  stdout: string
  stderr: string
  /** stdout + stderr passed output_bytes (the jail was killed). */
  outputLimit: boolean
  /** The host backstop fired (the runner's own wall limit did not end the run in time). */
  backstop: boolean
  aborted: boolean
  /** bwrap's own complaint when it could not start the jail. */
  startError?: string
  wallMs: number
  /** What the program wrote on fd 4 (call tests; only when `resultBytes` was set), cut at resultBytes + 1. */
  result?: string
}

/** The command that enters the slot's cgroup(s) and then becomes bwrap (every later process inherits them). */
export function enterThenExec (cg: SlotCgroup | null, bwrap: string, args: string[]): [string, string[]] {
  if (cg === null) return [bwrap, args]
  const script = cg.procs.map((_, i) => `echo $$ > "$${i + 1}" || exit 97`).join('; ') + `; shift ${cg.procs.length}; exec "$@"`
  return ['/bin/sh', ['-c', script, 'sh', ...cg.procs, bwrap, ...args]]
}

/** What a jail is made of, apart from the process it runs (fresh jails: the one run; warm jails: many). */
export interface JailSpec { runner: string, binds: Array<[string, string]>, rw?: Array<[string, string]>, env: Record<string, string>, chdir: string, tmpfsBytes: number }

/** bwrap's arguments for a jail with the runner as pid 1, given the runner's own arguments. */
export function jailArgs (r: JailSpec, runnerArgs: string[]): string[] {
  const args = [
    '--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--clearenv',
    '--ro-bind', '/usr', '/usr', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/bin', '/bin'
  ]
  if (existsSync('/usr/lib64')) args.push('--symlink', 'usr/lib64', '/lib64')
  args.push('--proc', '/proc', '--dev', '/dev', '--size', String(r.tmpfsBytes), '--tmpfs', '/tmp')
  for (const [host, jail] of r.binds) args.push('--ro-bind', host, jail)
  for (const [host, jail] of r.rw ?? []) args.push('--bind', host, jail)
  args.push('--ro-bind', r.runner, '/runner', '--remount-ro', '/dev', '--remount-ro', '/')
  for (const [k, v] of Object.entries(r.env)) args.push('--setenv', k, v)
  args.push('--chdir', r.chdir, '--as-pid-1', '/runner', ...runnerArgs)
  return args
}

function bwrapArgs (r: JailRun): string[] {
  return jailArgs(r, [String(r.cpuMs), String(r.wallMs), String(r.nproc), String(r.fsizeBytes), String(r.nofile),
    String(r.asBytes), String(r.stackBytes), '--', ...r.argv])
}

export function runInJail (r: JailRun): Promise<JailOutcome> {
  const t0 = performance.now()
  const [cmd, args] = enterThenExec(r.cgroup, BWRAP, bwrapArgs(r))
  return new Promise(resolve => {
    const stdio: Array<'pipe'> = r.resultBytes === undefined ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'pipe', 'pipe']
    const child = spawn(cmd, args, { uid: r.uid, gid: r.uid, env: {}, cwd: '/', detached: true, stdio })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let bytes = 0
    let report = ''
    let outputLimit = false
    let backstop = false
    let aborted = false
    let settled = false
    const kill = (): void => { if (child.pid !== undefined) { try { process.kill(-child.pid, 'SIGKILL') } catch { /* gone */ } } }
    const take = (into: Buffer[]) => (b: Buffer): void => {
      if (outputLimit) return
      bytes += b.length
      if (bytes > r.outputBytes) {
        outputLimit = true
        into.push(b.subarray(0, Math.max(0, b.length - (bytes - r.outputBytes))))
        kill()
        return
      }
      into.push(b)
    }
    child.stdout?.on('data', take(out))
    child.stderr?.on('data', take(err))
    const fd3 = child.stdio[3] as Readable | null
    fd3?.setEncoding('utf8')
    fd3?.on('data', (s: string) => { if (report.length < 4096) report += s })
    fd3?.on('error', () => {})
    const res: Buffer[] = []
    let resBytes = 0
    const fd4 = r.resultBytes === undefined ? null : child.stdio[4] as Readable | null
    fd4?.on('data', (b: Buffer) => {
      const cap = (r.resultBytes ?? 0) + 1
      if (resBytes < cap) res.push(b.subarray(0, cap - resBytes))
      resBytes += b.length
    })
    fd4?.on('error', () => {})
    const timer = setTimeout(() => { backstop = true; kill() }, r.wallMs * 5 + 5000)
    const onAbort = (): void => { aborted = true; kill() }
    r.signal?.addEventListener('abort', onAbort, { once: true })
    if (r.signal?.aborted) onAbort()
    const stdin = child.stdin as Writable
    stdin.on('error', () => {}) // a solution that never reads its input
    stdin.end(r.stdin)
    let startError: string | undefined
    child.on('error', e => { startError = e.message })
    child.on('close', () => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      r.signal?.removeEventListener('abort', onAbort)
      let parsed: RunnerReport | null = null
      try { parsed = JSON.parse(report.trim().split('\n')[0] ?? '') as RunnerReport } catch { /* no report */ }
      const stderr = Buffer.concat(err).toString('utf8')
      const outcome: JailOutcome = {
        report: parsed,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr,
        outputLimit,
        backstop,
        aborted,
        wallMs: performance.now() - t0,
        ...(fd4 !== null && { result: Buffer.concat(res).toString('utf8') })
      }
      if (parsed === null && !outputLimit && !backstop && !aborted) outcome.startError = startError ?? (stderr.trim().slice(0, 300) || 'the jail ended without a report')
      resolve(outcome)
    })
  })
}
