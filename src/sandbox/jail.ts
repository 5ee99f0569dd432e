/**
 * One warm Python jail: a bwrap process running sandboxes/python/server.py as pid 1, started as the slot's
 * own uid. It runs one job at a time (a completion with all its tests) and is reused until it misbehaves or
 * reaches its job budget. Host side of the wire protocol:
 *   fd 0 → one job line; fd 3 → {id, script} (script form only); fd 1 ← ready, result, done lines.
 * A wall-clock backstop here kills the whole jail (pid namespace: every process in it dies with pid 1).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import type { Writable } from 'node:stream'
import { bwrapArgs, type JailSpec } from './bwrap.ts'
import { enterThenExec, type SlotCgroup } from './cgroup.ts'
import type { PythonJob, RawCase, RawJobResult } from './types.ts'

const MAX_LINE = 64 << 20

interface Pending {
  id: number
  result?: { results?: RawCase[], test_error?: string }
  resolve: (r: RawJobResult) => void
  timer: NodeJS.Timeout
  started: number
  onAbort?: () => void
  signal?: AbortSignal
}

let nextId = 1

export class Jail {
  readonly uid: number
  private child: ChildProcess
  private buf = ''
  private pending: Pending | null = null
  private readyWaiters: Array<(err: Error | null) => void> = []
  private stderrTail = ''
  ready = false
  dead = false
  jobs = 0

  constructor (uid: number, spec: JailSpec & { bwrap: string }, cgroup: SlotCgroup | null = null) {
    this.uid = uid
    const [cmd, args] = enterThenExec(cgroup, spec.bwrap, bwrapArgs(spec))
    this.child = spawn(cmd, args, {
      uid,
      gid: uid,
      env: {},
      cwd: '/',
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe']
    })
    this.child.stdout?.setEncoding('utf8')
    this.child.stdout?.on('data', (s: string) => this.onData(s))
    this.child.stderr?.setEncoding('utf8')
    this.child.stderr?.on('data', (s: string) => { this.stderrTail = (this.stderrTail + s).slice(-2000) })
    for (const s of [this.child.stdin, this.child.stdio[3] as Writable | null]) s?.on('error', () => {})
    this.child.on('error', err => this.die(`could not start bwrap: ${err.message}`))
    this.child.on('exit', (code, sig) => this.die(`jail exited (code ${code}, signal ${sig}) ${this.stderrTail.trim()}`))
  }

  /** Resolves once the server inside reported ready; rejects if the jail dies first. */
  whenReady (): Promise<void> {
    if (this.ready) return Promise.resolve()
    if (this.dead) return Promise.reject(new Error(`jail is dead: ${this.stderrTail.trim()}`))
    return new Promise((resolve, reject) => {
      this.readyWaiters.push(err => { if (err) reject(err); else resolve() })
    })
  }

  get busy (): boolean { return this.pending !== null }

  /** Runs one job; never rejects: sandbox faults come back as status 'error'. */
  run (job: PythonJob, backstopMs: number, signal?: AbortSignal): Promise<RawJobResult> {
    if (this.dead || !this.ready || this.pending) {
      return Promise.resolve({ status: 'error', cases: [], reason: 'jail not ready', wall_ms: 0 })
    }
    const id = nextId++
    this.jobs++
    return new Promise(resolve => {
      const p: Pending = {
        id,
        resolve,
        started: performance.now(),
        timer: setTimeout(() => this.finish({ status: 'timeout', reason: 'wall-clock backstop: jail killed' }, true), backstopMs)
      }
      if (signal) {
        p.signal = signal
        p.onAbort = () => this.finish({ status: 'error', reason: 'aborted' }, true)
        if (signal.aborted) queueMicrotask(p.onAbort)
        else signal.addEventListener('abort', p.onAbort, { once: true })
      }
      this.pending = p
      const { script, ...rest } = job
      if (job.form === 'script') {
        const secret = this.child.stdio[3] as Writable
        secret.write(JSON.stringify({ id, script: script ?? '' }) + '\n')
      }
      this.child.stdin?.write(JSON.stringify({ id, ...rest }) + '\n')
    })
  }

  kill (): void {
    if (this.child.pid !== undefined && !this.dead) {
      try { process.kill(-this.child.pid, 'SIGKILL') } catch { /* already gone */ }
    }
  }

  private onData (s: string): void {
    this.buf += s
    if (this.buf.length > MAX_LINE) {
      this.buf = ''
      this.finish({ status: 'error', reason: 'sandbox reply too large' }, true)
      return
    }
    let nl: number
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl)
      this.buf = this.buf.slice(nl + 1)
      if (line.trim() !== '') this.onLine(line)
    }
  }

  private onLine (line: string): void {
    let msg: { type?: string, id?: number, results?: RawCase[], test_error?: string, signal?: string | null, clean?: boolean }
    try { msg = JSON.parse(line) } catch { return } // a judge killed mid-write leaves a partial line
    if (msg.type === 'ready') {
      this.ready = true
      for (const w of this.readyWaiters.splice(0)) w(null)
    } else if (msg.type === 'result' && this.pending && msg.id === this.pending.id) {
      this.pending.result = msg
    } else if (msg.type === 'done' && this.pending) {
      const r = this.pending.result
      if (r?.test_error !== undefined) {
        this.finish({ status: 'test_error', reason: r.test_error })
      } else if (r?.results) {
        this.finish({ status: 'ok' })
      } else {
        this.finish({ status: 'ok', reason: `the judge process died (${msg.signal ?? 'exit'}): killed by the solution` })
      }
      if (msg.clean === false) this.kill()
    }
  }

  private finish (out: Omit<RawJobResult, 'cases' | 'wall_ms'>, killJail = false): void {
    const p = this.pending
    if (!p) return
    this.pending = null
    clearTimeout(p.timer)
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort)
    if (killJail) this.kill()
    p.resolve({ ...out, cases: p.result?.results ?? [], wall_ms: performance.now() - p.started })
  }

  private die (reason: string): void {
    if (this.dead) return
    this.dead = true
    this.ready = false
    for (const w of this.readyWaiters.splice(0)) w(new Error(reason))
    this.finish({ status: 'error', reason })
  }
}
