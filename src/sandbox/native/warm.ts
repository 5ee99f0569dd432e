/**
 * Warm run jails (README "Warm run jails"): one long-lived jail per solution slot for runs of built programs,
 * the same bwrap jail as jail.ts's (namespaces, binds, uid, cgroup) with the runner as pid 1 in `--serve`
 * mode. Per run the host sends one request on the runner's stdin; the runner forks the program with fresh
 * pipes, relays its output as frames on its stdout, cleans the jail (processes, SysV IPC, /tmp) and ends the
 * run with its report frame. Anything abnormal (no report, a report saying the cleanup failed, the output
 * limit, the host backstop, an abort, bytes past the caps) kills the jail: the next run starts a fresh one.
 * A jail idle for IDLE_MS ends too.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { BWRAP } from '../bwrap.ts'
import type { SlotCgroup } from '../cgroup.ts'
import { enterThenExec, jailArgs, type JailOutcome, type JailRun, type RunnerReport } from './jail.ts'

/** An idle warm jail ends after this long (no process of a slot uid outlives a busy period by more). */
const IDLE_MS = 2000

export interface WarmSpec { uid: number, cgroup: SlotCgroup | null, runner: string, binds: Array<[string, string]>, tmpfsBytes: number }
export type WarmRequest = Pick<JailRun, 'argv' | 'env' | 'stdin' | 'cpuMs' | 'wallMs' | 'nproc' | 'fsizeBytes' | 'nofile' | 'asBytes' | 'stackBytes' | 'outputBytes' | 'resultBytes' | 'signal'>

interface Pending {
  req: WarmRequest
  out: Buffer[]
  err: Buffer[]
  res: Buffer[]
  outBytes: number
  resBytes: number
  t0: number
  backstop: boolean
  aborted: boolean
  done: (o: JailOutcome) => void
}

export class WarmJail {
  /** Runs reuse this jail only with the same binds and tmpfs size. */
  readonly key: string
  private readonly child: ChildProcess
  private buf: Buffer = Buffer.alloc(0)
  private pending: Pending | null = null
  private stderr = ''
  private dead = false
  private idle: NodeJS.Timeout | undefined

  constructor (spec: WarmSpec, key: string) {
    this.key = key
    const [cmd, args] = enterThenExec(spec.cgroup, BWRAP, jailArgs({ ...spec, env: {}, chdir: '/tmp' }, ['--serve']))
    this.child = spawn(cmd, args, { uid: spec.uid, gid: spec.uid, env: {}, cwd: '/', detached: true, stdio: ['pipe', 'pipe', 'pipe'] })
    this.child.unref()
    const out = this.child.stdout as Readable & { unref?: () => void }
    const err = this.child.stderr as Readable & { unref?: () => void }
    out.on('data', (b: Buffer) => { this.onData(b) })
    err.on('data', (b: Buffer) => { if (this.stderr.length < 4096) this.stderr += b.toString('utf8') })
    for (const s of [out, err, this.child.stdin as Writable & { unref?: () => void }]) { s.on('error', () => {}); s.unref?.() }
    this.child.on('error', e => { this.stderr += e.message; this.kill() })
    this.child.on('close', () => { this.dead = true; this.finish(null) })
  }

  /** False once the jail ended or was killed: the caller starts a fresh one. */
  get alive (): boolean { return !this.dead }

  run (req: WarmRequest): Promise<JailOutcome> {
    if (this.pending !== null) throw new Error('warm jail: one run at a time')
    clearTimeout(this.idle)
    return new Promise(resolve => {
      const p: Pending = { req, out: [], err: [], res: [], outBytes: 0, resBytes: 0, t0: performance.now(), backstop: false, aborted: false, done: resolve }
      this.pending = p
      if (this.dead) { this.finish(null); return }
      const timer = setTimeout(() => { p.backstop = true; this.kill() }, req.wallMs * 5 + 5000)
      const onAbort = (): void => { p.aborted = true; this.kill() }
      req.signal?.addEventListener('abort', onAbort, { once: true })
      p.done = o => { clearTimeout(timer); req.signal?.removeEventListener('abort', onAbort); resolve(o) }
      if (req.signal?.aborted === true) { onAbort(); return }
      const strings = Buffer.from([...req.argv, ...Object.entries(req.env).map(([k, v]) => `${k}=${v}`)].map(s => `${s}\0`).join(''))
      const stdin = Buffer.from(req.stdin)
      const head = [req.cpuMs, req.wallMs, req.nproc, req.fsizeBytes, req.nofile, req.asBytes, req.stackBytes, req.outputBytes,
        req.resultBytes ?? -1, req.argv.length, Object.keys(req.env).length, strings.length, stdin.length].join(' ')
      ;(this.child.stdin as Writable).write(Buffer.concat([Buffer.from(`${head}\n`), strings, stdin]))
    })
  }

  kill (): void {
    this.dead = true
    if (this.child.pid !== undefined) { try { process.kill(-this.child.pid, 'SIGKILL') } catch { /* gone */ } }
  }

  /** Frames from the runner: [type][u32 LE length][bytes]; 'o' stdout, 'e' stderr, 'r' fd 4, 'R' the report. */
  private onData (b: Buffer): void {
    this.buf = this.buf.length === 0 ? b : Buffer.concat([this.buf, b])
    while (this.buf.length >= 5) {
      const n = this.buf.readUInt32LE(1)
      if (this.buf.length < 5 + n) return
      const type = String.fromCharCode(this.buf[0] ?? 0)
      const body = this.buf.subarray(5, 5 + n)
      this.buf = this.buf.subarray(5 + n)
      const p = this.pending
      if (p === null) { this.kill(); return } // bytes outside a run
      if (type === 'R') { this.finish(body.toString('utf8')); continue }
      if (type === 'r') {
        p.resBytes += n
        if (p.resBytes > (p.req.resultBytes ?? -1) + 1) { this.kill(); return }
        p.res.push(body)
        continue
      }
      p.outBytes += n
      if (p.outBytes > p.req.outputBytes || (type !== 'o' && type !== 'e')) { this.kill(); return } // the runner enforces the cap
      ;(type === 'o' ? p.out : p.err).push(Buffer.from(body))
    }
  }

  /** Ends the pending run with the runner's report line (null: none came). */
  private finish (line: string | null): void {
    const p = this.pending
    if (p === null) return
    this.pending = null
    let report: RunnerReport | null = null
    try { if (line !== null) report = JSON.parse(line) as RunnerReport } catch { /* below */ }
    if (report === null || report.clean !== true || report.limit === 'output') this.kill()
    else this.idle = setTimeout(() => { this.kill() }, IDLE_MS).unref()
    const outputLimit = report?.limit === 'output'
    if (outputLimit) report = null
    const outcome: JailOutcome = {
      report,
      stdout: Buffer.concat(p.out).toString('utf8'),
      stderr: Buffer.concat(p.err).toString('utf8'),
      outputLimit,
      backstop: p.backstop,
      aborted: p.aborted,
      wallMs: performance.now() - p.t0,
      ...(p.req.resultBytes !== undefined && { result: Buffer.concat(p.res).toString('utf8') })
    }
    if (report === null && !outputLimit && !p.backstop && !p.aborted) outcome.startError = this.stderr.trim().slice(0, 300) || 'the warm jail ended without a report'
    p.done(outcome)
  }
}
