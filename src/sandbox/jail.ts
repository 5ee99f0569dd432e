/**
 * One warm Python jail: sandboxes/jail/launch.py → bubblewrap → sandboxes/python/server.py as pid 1, as the
 * slot's judge uid (the solution's processes run as the slot's solution uid). One job at a time (a
 * completion with all its tests); reused until it misbehaves or reaches its job budget.
 * Wire: fd 3 (service → jail) and fd 4 (jail → service) are pipes no solution process holds, carrying
 * length-prefixed frames (frames.ts); stdout/stderr of the jail are only logged (a tail, for errors).
 *   fd 3 → {id, form, code, ...} then, script form only, {script}
 *   fd 4 ← ready once; per job: case frames, result, done (from pid 1, after the judge ended)
 * A wall-clock backstop here kills the whole jail (pid namespace: every process in it dies with pid 1); the
 * jail's CPU time (its cgroup) then decides: >= time_ms is a timeout (0), less is an error (null).
 * A killed jail is dead at once: it never takes another job.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Readable, Writable } from 'node:stream'
import { jailCommand, pythonHarness, PYTHON, type JailSpec } from './bwrap.ts'
import { jailCpuMs, pidsOfUids, type SlotCgroup } from './cgroup.ts'
import { FrameReader, frame } from './frames.ts'
import type { PythonJob, RawCase, RawJobResult } from './types.ts'

const MAX_FRAME = 64 << 20
const VERDICTS = new Set(['ok', 'passed', 'wrong_answer', 'runtime_error', 'timeout', 'memory_limit', 'output_limit', 'compile_error'])

interface Pending {
  id: number
  job: PythonJob
  cases: RawCase[]
  result?: { test_error?: string, host_fault?: string }
  frames: number
  resolve: (r: RawJobResult) => void
  timer: NodeJS.Timeout
  started: number
  cpuAtStart: number | null
  onAbort?: () => void
  signal?: AbortSignal
}

let nextId = 1

function str (x: unknown, max = 4000): string | undefined {
  return typeof x === 'string' ? x.slice(0, max) : undefined
}

/** A case frame from the judge, as a RawCase with only known fields of known types. */
function rawCase (m: Record<string, unknown>): RawCase {
  const v = typeof m.v === 'string' && VERDICTS.has(m.v) ? m.v : 'runtime_error'
  const out: RawCase = { v }
  if ('value' in m) out.value = m.value
  const stdout = str(m.stdout, Number.MAX_SAFE_INTEGER)
  if (stdout !== undefined) out.stdout = stdout
  const error = str(m.error)
  if (error !== undefined) out.error = error
  const stderr = str(m.stderr)
  if (stderr !== undefined) out.stderr = stderr
  if (typeof m.ms === 'number' && Number.isFinite(m.ms)) out.ms = m.ms
  return out
}

export class Jail {
  readonly judgeUid: number
  private child: ChildProcess
  private readonly reader: FrameReader
  private pending: Pending | null = null
  private readyWaiters: Array<(err: Error | null) => void> = []
  private logTail = ''
  private readonly cgroup: SlotCgroup
  ready = false
  dead = false
  jobs = 0

  constructor (spec: JailSpec & { bwrap: string, nproc: number, tmpfsBytes: number }, cgroup: SlotCgroup) {
    this.judgeUid = spec.judgeUid
    this.cgroup = cgroup
    const cfg = { nproc: spec.nproc, tmpfs_bytes: spec.tmpfsBytes, ...(cgroup.kind === 'proc' ? { cpu: 'proc' } : {}) }
    const program = [PYTHON, '-S', '-I', '-B', '-c', pythonHarness(), JSON.stringify(cfg)]
    const [cmd, args] = jailCommand(spec, program, spec.bwrap)
    this.child = spawn(cmd, args, { env: {}, cwd: '/', detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] })
    this.reader = new FrameReader(MAX_FRAME, msg => this.onFrame(msg), why => {
      this.kill()
      this.finish({ status: 'error', reason: `unreadable reply from the jail (${why})` })
      this.die(why)
    })
    const log = (b: Buffer): void => { this.logTail = (this.logTail + b.toString('utf8')).slice(-2000) }
    this.child.stdout?.on('data', log)
    this.child.stderr?.on('data', log)
    ;(this.child.stdio[4] as Readable | null)?.on('data', (b: Buffer) => this.reader.push(b))
    ;(this.child.stdio[3] as Writable | null)?.on('error', () => {})
    this.child.on('error', err => this.die(`could not start the jail: ${err.message}`))
    this.child.on('exit', (code, sig) => this.die(`jail exited (code ${code}, signal ${sig}) ${this.logTail.trim()}`))
  }

  /** Resolves once the server inside reported ready; rejects if the jail dies first. */
  whenReady (): Promise<void> {
    if (this.ready) return Promise.resolve()
    if (this.dead) return Promise.reject(new Error(`jail is dead: ${this.logTail.trim()}`))
    return new Promise((resolve, reject) => {
      this.readyWaiters.push(err => { if (err) reject(err); else resolve() })
    })
  }

  get busy (): boolean { return this.pending !== null }

  /** Runs one job; never rejects: sandbox faults come back as status 'error'. */
  run (job: PythonJob, backstopMs: number, signal?: AbortSignal): Promise<RawJobResult> {
    if (this.dead || !this.ready || this.pending) {
      return Promise.resolve({ status: 'error', cases: [], reason: 'jail not ready', wall_ms: 0, requeue: true })
    }
    const id = nextId++
    this.jobs++
    return new Promise(resolve => {
      const p: Pending = {
        id,
        job,
        cases: [],
        frames: 0,
        resolve,
        started: performance.now(),
        cpuAtStart: jailCpuMs(this.cgroup),
        timer: setTimeout(() => this.backstop(), backstopMs)
      }
      if (signal) {
        p.signal = signal
        p.onAbort = () => { this.kill(); this.finish({ status: 'error', reason: 'aborted' }) }
        if (signal.aborted) queueMicrotask(p.onAbort)
        else signal.addEventListener('abort', p.onAbort, { once: true })
      }
      this.pending = p
      const { script, ...rest } = job
      const input = this.child.stdio[3] as Writable
      input.write(frame({ id, ...rest }))
      if (job.form === 'script') input.write(frame({ script: script ?? '' }))
    })
  }

  /** Kills the whole jail; from this moment it is dead and takes no job. */
  kill (): void {
    if (!this.dead) this.killAll()
    this.dead = true
    this.ready = false
  }

  /**
   * SIGKILL to bwrap's process group and to every process in the slot's cgroup: the jail's pid 1 runs in a
   * session of its own and outlives a killed bwrap, so the cgroup is what reaches all of it. Only called
   * while this jail is the slot's only one (before a replacement starts).
   */
  private killAll (): void {
    if (this.child.pid !== undefined) {
      try { process.kill(-this.child.pid, 'SIGKILL') } catch { /* already gone */ }
    }
    for (const procs of this.cgroup.procs.slice(0, 1)) {
      let pids: string[] = []
      try { pids = readFileSync(procs, 'utf8').split('\n').filter(Boolean) } catch { /* no cgroup view */ }
      for (const pid of pids) {
        try { process.kill(Number(pid), 'SIGKILL') } catch { /* gone */ }
      }
    }
    // Without a cgroup the slot's uids (its alone) find the jail: pid 1 among them takes the whole pid namespace.
    if (this.cgroup.kind === 'proc') {
      for (const pid of pidsOfUids(this.cgroup.uids ?? [])) {
        try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
      }
    }
  }

  /** The host's wall-clock backstop fired: kill the jail, then the solution's CPU time decides. */
  private backstop (): void {
    const p = this.pending
    if (!p) return
    // Without a cgroup the counter is the live processes' (cgroup.ts procCpuMs): read it before they die.
    const before = this.cgroup.kind === 'proc' ? jailCpuMs(this.cgroup) : null
    this.kill()
    const now = before ?? jailCpuMs(this.cgroup)
    const used = now !== null && p.cpuAtStart !== null ? now - p.cpuAtStart : null
    const allowance = p.job.limits.time_ms * Math.max(1, p.job.cases?.length ?? p.job.stdins?.length ?? 1)
    if (used !== null && used >= p.job.limits.time_ms) {
      const total = p.job.form === 'script' ? 1 : Math.max(p.job.cases?.length ?? 0, p.job.stdins?.length ?? 0)
      for (let i = 0; i < total; i++) p.cases[i] ??= { v: 'timeout', error: `the wall-clock backstop killed the jail after ${Math.round(used)} ms of CPU` }
      this.finish({ status: 'ok', reason: 'wall-clock backstop: the solution used its CPU time' })
    } else {
      this.finish({ status: 'error', reason: `wall-clock backstop fired with ${used === null ? 'unknown' : Math.round(used)} ms of the solution's CPU (allowance ${allowance} ms): the host was too slow` })
    }
  }

  private onFrame (msg: unknown): void {
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return
    const m = msg as Record<string, unknown>
    const p = this.pending
    if (m.type === 'ready') {
      this.ready = !this.dead
      for (const w of this.readyWaiters.splice(0)) w(null)
      return
    }
    if (!p) return
    p.frames++
    if (m.type === 'case') {
      const i = m.i
      if (typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < 100_000) p.cases[i] = rawCase(m)
    } else if (m.type === 'result' && m.id === p.id) {
      p.result = {}
      const te = str(m.test_error)
      if (te !== undefined) p.result.test_error = te
      const hf = str(m.host_fault)
      if (hf !== undefined) p.result.host_fault = hf
    } else if (m.type === 'done') {
      const r = p.result
      if (r?.host_fault !== undefined) {
        this.finish({ status: 'error', reason: r.host_fault === 'host_slow' ? 'the host gave the solution too little CPU before its wall-clock limit' : 'the jail could not set up the solution process' })
      } else if (r?.test_error !== undefined) {
        this.finish({ status: 'test_error', reason: r.test_error })
      } else if (r !== undefined) {
        this.finish({ status: 'ok' })
      } else {
        this.finish({ status: 'error', reason: `the judge process ended without a result (${str(m.signal) ?? `exit ${String(m.exit)}`})` })
        this.kill()
      }
    }
  }

  private finish (out: Omit<RawJobResult, 'cases' | 'wall_ms'>): void {
    const p = this.pending
    if (!p) return
    this.pending = null
    clearTimeout(p.timer)
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort)
    p.resolve({ ...out, cases: p.cases, wall_ms: performance.now() - p.started })
  }

  private die (reason: string): void {
    const p = this.pending
    const wasDead = this.dead
    if (!wasDead) this.killAll() // whatever of it still runs (bwrap gone, pid 1 not)
    this.dead = true
    this.ready = false
    for (const w of this.readyWaiters.splice(0)) w(new Error(reason))
    if (p && p.frames === 0 && !wasDead) {
      // the jail went away before anything of this job came back (not killed by us): try a live jail
      this.finish({ status: 'error', reason, requeue: true })
    } else {
      this.finish({ status: 'error', reason })
    }
  }
}
