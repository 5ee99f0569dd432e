/**
 * NativeRuntime: compile (once per distinct program, through the build cache) and run jailed processes for
 * the compiled languages. Solutions and compiles share one slot pool (a uid and a cgroup per slot); program
 * checkers run in a second pool whose uids no solution ever had.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, chownSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { jailUnavailableReason } from '../bwrap.ts'
import { BuildCache, cacheKey, type BuildOutcome, type StagedBuild } from './cache.ts'
import { runInJail, type JailOutcome, type JailRun } from './jail.ts'
import { WarmJail } from './warm.ts'
import { SlotPool, armMemory, type Slot } from './slots.ts'
import { compilePlan, familyOf, GO_ENV, NATIVE_META, runPlan, toolchainMissing, toolchainStamp, type NativeLanguage, type ProgramKind } from './toolchains.ts'
import { ensureRustCrates } from './rust-crates.ts'
import { ensureGoCache } from './go-cache.ts'

const RUNNER_SRC = fileURLToPath(new URL('../../../sandboxes/native/runner.c', import.meta.url))
const MB = 1 << 20

export interface NativeRuntimeOptions {
  slots: number
  uidBase: number
  checkerUidBase: number
  cacheDir: string
  cacheBytes: number
  cgroups?: boolean
  /** Runs of built programs in one warm jail per slot (README "Warm run jails"); false: a fresh jail per run. */
  warm?: boolean
}

export interface ProcessLimits {
  cpuMs: number
  wallMs: number
  memoryMb: number
  outputBytes: number
  fsizeBytes: number
  nofile: number
  nproc: number
  tmpfsBytes: number
}

export interface ProcessResult extends JailOutcome {
  /** The cgroup's OOM killer ended the process (memory limit). */
  oom: boolean
}

export interface Built { outcome: BuildOutcome, release: () => void }

function copyTree (from: string, to: string, budget: { left: number }): void {
  mkdirSync(to, { mode: 0o755 })
  for (const name of readdirSync(from)) {
    const src = join(from, name)
    const st = lstatSync(src)
    if (st.isDirectory()) copyTree(src, join(to, name), budget)
    else if (st.isFile()) {
      budget.left -= st.size
      if (budget.left < 0) throw new Error('artifact too large')
      copyFileSync(src, join(to, name))
      chmodSync(join(to, name), (st.mode & 0o111) !== 0 ? 0o755 : 0o644)
    } // symlinks, fifos, devices: never copied
  }
}

/** Puts the artifact tree `from` into the (empty) slot box `to`: hard links (same filesystem), else copies. */
function linkTree (from: string, to: string): void {
  for (const name of readdirSync(from)) {
    const src = join(from, name)
    const st = lstatSync(src)
    if (st.isDirectory()) {
      mkdirSync(join(to, name), { mode: 0o755 })
      linkTree(src, join(to, name))
    } else if (st.isFile()) {
      try { linkSync(src, join(to, name)) } catch { copyFileSync(src, join(to, name)); chmodSync(join(to, name), st.mode & 0o755) }
    }
  }
}

function emptyDir (dir: string): void {
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true })
}

export class NativeRuntime {
  readonly cache: BuildCache
  readonly pool: SlotPool
  readonly checkers: SlotPool
  private runnerPath: string | null = null
  readonly unavailable: string | null
  private readonly warmOn: boolean
  private readonly warm = new Map<number, WarmJail>()

  constructor (o: NativeRuntimeOptions) {
    this.cache = new BuildCache(o.cacheDir, o.cacheBytes)
    this.pool = new SlotPool(o.uidBase, o.slots, 256, o.cgroups ?? true)
    this.checkers = new SlotPool(o.checkerUidBase, o.slots, 64, o.cgroups ?? true)
    this.unavailable = jailUnavailableReason() ?? this.pool.unavailable ?? this.checkers.unavailable
    this.warmOn = o.warm ?? true
  }

  /** The runner binary (sandboxes/native/runner.c), compiled once per source version into the cache dir. */
  runner (): string {
    if (this.runnerPath !== null) return this.runnerPath
    const src = readFileSync(RUNNER_SRC)
    const path = join(this.cache.dir, `runner-${createHash('sha256').update(src).digest('hex').slice(0, 16)}`)
    if (!existsSync(path)) {
      const tmp = `${path}.${process.pid}.tmp`
      execFileSync('/usr/bin/gcc', ['-O2', '-o', tmp, RUNNER_SRC], { stdio: 'pipe', timeout: 60_000 })
      chmodSync(tmp, 0o755)
      renameSync(tmp, path)
    }
    this.runnerPath = path
    return path
  }

  missing (language: NativeLanguage): string | null {
    return this.unavailable ?? toolchainMissing(language)
  }

  /** Compiles `source` (or finds it in the cache). Call release() once the artifact's runs are over. */
  /** `extra`: the text of the plan's second file (Go call tests' driver). */
  async build (language: NativeLanguage, kind: ProgramKind, source: string, signal?: AbortSignal, extra = ''): Promise<Built> {
    const fam = familyOf(language)
    let crates: string | null = null
    if (fam === 'rust' && kind !== 'stdio') {
      try { crates = await ensureRustCrates(this.cache.dir) } catch (err) {
        return { outcome: { kind: 'error', reason: `rust crates: ${(err as Error).message}` }, release: () => {} }
      }
    }
    // a warm build cache only saves time: without it go builds std and testify again in the jail's /tmp
    if (fam === 'go') crates = await ensureGoCache(this.cache.dir, GO_ENV).catch(() => null)
    const plan = compilePlan(language, kind, source, crates)
    const key = cacheKey([language, kind, toolchainStamp(language), JSON.stringify(plan.argv), source, extra])
    const release = this.cache.hold(key)
    const outcome = await this.cache.get(key, stage => this.compile(language, plan, source, extra, stage, signal))
    return { outcome, release }
  }

  private async compile (language: NativeLanguage, plan: ReturnType<typeof compilePlan>, source: string, extra: string, stage: string, signal?: AbortSignal): Promise<StagedBuild> {
    const meta = NATIVE_META[familyOf(language)]
    const srcDir = join(stage, 'src')
    const outDir = join(stage, 'out')
    mkdirSync(srcDir, { mode: 0o755 })
    writeFileSync(join(srcDir, plan.file), source, { mode: 0o644 })
    if (plan.extraFile !== undefined) writeFileSync(join(srcDir, plan.extraFile), extra, { mode: 0o644 })
    return await this.pool.with(async slot => {
      mkdirSync(outDir, { mode: 0o700 })
      chownSync(outDir, slot.uid, slot.uid)
      const t0 = performance.now()
      try {
        return await this.judgeCompile(meta, t0, stage, outDir, await this.exec(slot, {
          argv: plan.argv,
          env: plan.env,
          binds: [...plan.binds, [srcDir, '/build/src']],
          rw: [[outDir, '/build/out']],
          stdin: '',
          limits: {
            cpuMs: meta.compile.time_ms,
            wallMs: meta.compile.time_ms * 2,
            memoryMb: meta.compile.memory_mb,
            outputBytes: meta.compile.output_bytes,
            fsizeBytes: meta.compile.binary_bytes,
            nofile: 256,
            nproc: meta.jail.nproc,
            tmpfsBytes: Math.max(meta.jail.tmpfs_bytes, 256 * MB)
          },
          ...(signal !== undefined && { signal })
        }))
      } finally {
        // the compiler's own files (owned by the slot uid) never reach the cache
        rmSync(outDir, { recursive: true, force: true })
        rmSync(srcDir, { recursive: true, force: true })
      }
    })
  }

  private judgeCompile (meta: typeof NATIVE_META.cpp, t0: number, stage: string, outDir: string, r: ProcessResult): StagedBuild {
    const compileMs = performance.now() - t0
    const rep = r.report
    if (r.aborted) return { kind: 'error', reason: 'aborted' }
    if (r.startError !== undefined || (rep !== null && rep.exec_errno !== 0)) {
      return { kind: 'error', reason: `compiler did not start: ${r.startError ?? `errno ${rep?.exec_errno ?? 0}`}` }
    }
    const message = (r.stdout + r.stderr).replaceAll('/build/src/', '')
    const bounded = (why: string): StagedBuild => ({ kind: 'compile_error', message: `${why}\n${message}`.slice(0, 4000), compileMs, cacheable: false })
    if (r.outputLimit) return bounded(`compiler output passed ${meta.compile.output_bytes} bytes`)
    if (r.oom) return bounded(`compilation passed its memory limit (${meta.compile.memory_mb} MB)`)
    if (rep?.limit === 'cpu' || rep?.limit === 'wall_idle') return bounded(`compilation passed its time limit (${meta.compile.time_ms} ms)`)
    if (rep?.limit === 'wall_busy' || r.backstop || rep === null) return { kind: 'error', reason: 'compilation did not finish (host overloaded)' }
    if (rep.signal === 25) return bounded(`compiler output file passed ${meta.compile.binary_bytes} bytes`)
    if (rep.exit !== 0) return { kind: 'compile_error', message: message.slice(0, 4000) || `compiler exit ${rep.exit ?? `signal ${rep.signal ?? '?'}`}`, compileMs, cacheable: rep.exit !== null }
    const budget = { left: meta.compile.binary_bytes }
    try {
      copyTree(outDir, join(stage, 'box'), budget)
    } catch (err) {
      return bounded(`compiled program rejected: ${(err as Error).message}`)
    }
    return { kind: 'ok', bytes: meta.compile.binary_bytes - budget.left, compileMs }
  }

  /** Runs a built program once (one test) in a solution slot; `resultBytes`: call tests' fd 4 (jail.ts). */
  async run (language: NativeLanguage, kind: ProgramKind, source: string, box: string, stdin: string, limits: ProcessLimits, signal?: AbortSignal, resultBytes?: number): Promise<ProcessResult> {
    const plan = runPlan(language, kind, source, limits.memoryMb)
    return await this.pool.with(slot => this.exec(slot, {
      argv: plan.argv,
      env: plan.env,
      binds: plan.binds,
      box,
      stdin,
      limits: { ...limits, memoryMb: limits.memoryMb + plan.headroomMb },
      asExtraMb: plan.asExtraMb,
      ...(resultBytes !== undefined && { resultBytes }),
      ...(signal !== undefined && { signal })
    }))
  }

  /** Runs a checker (argv inside the jail) with /io bound read-only, in a checker slot. */
  async runChecker (argv: string[], binds: Array<[string, string]>, limits: ProcessLimits, signal?: AbortSignal): Promise<ProcessResult> {
    return await this.checkers.with(slot => this.exec(slot, {
      argv,
      env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: '/tmp' },
      binds,
      stdin: '',
      limits,
      ...(signal !== undefined && { signal })
    }))
  }

  /** `asExtraMb`: address space over memory_mb in the fallback without a cgroup (default 1024: compilers).
   * `box`: a built program, bound at /box; such runs go to the slot's warm jail unless warm jails are off. */
  async exec (slot: Slot, x: { argv: string[], env: Record<string, string>, binds: Array<[string, string]>, rw?: Array<[string, string]>, box?: string, stdin: string, limits: ProcessLimits, asExtraMb?: number, resultBytes?: number, signal?: AbortSignal }): Promise<ProcessResult> {
    const l = x.limits
    const oomProbe = armMemory(slot, l.memoryMb * MB)
    const run = {
      argv: x.argv,
      env: x.env,
      stdin: x.stdin,
      cpuMs: l.cpuMs,
      wallMs: l.wallMs,
      nproc: l.nproc,
      fsizeBytes: l.fsizeBytes,
      nofile: l.nofile,
      // fallback without a cgroup: address space, with room for the JVM's and Go's reservations
      asBytes: oomProbe === null ? (l.memoryMb + (x.asExtraMb ?? 1024)) * MB : 0,
      stackBytes: Math.min(l.memoryMb, 256) * MB,
      outputBytes: l.outputBytes,
      ...(x.resultBytes !== undefined && { resultBytes: x.resultBytes }),
      ...(x.signal !== undefined && { signal: x.signal })
    }
    const jail = { uid: slot.uid, cgroup: slot.cgroup, runner: this.runner(), chdir: '/tmp', tmpfsBytes: l.tmpfsBytes }
    const r = x.box !== undefined && this.warmOn
      ? await this.warmRun(slot, x.binds, x.box, { ...jail, ...run })
      : await runInJail({ ...jail, ...run, binds: x.box === undefined ? x.binds : [...x.binds, [x.box, '/box']], ...(x.rw !== undefined && { rw: x.rw }) })
    return { ...r, oom: oomProbe?.() ?? false }
  }

  /** One run in the slot's warm jail (started, or restarted with other binds, as needed); the artifact is
   * hard-linked into the slot's own box directory for this run only. */
  private async warmRun (slot: Slot, binds: Array<[string, string]>, box: string, r: Omit<JailRun, 'binds'>): Promise<JailOutcome> {
    const dir = join(this.cache.dir, `warm-box-${slot.uid}`)
    const key = JSON.stringify([binds, r.tmpfsBytes])
    let j = this.warm.get(slot.uid)
    if (j === undefined || !j.alive || j.key !== key) {
      j?.kill()
      rmSync(dir, { recursive: true, force: true })
      mkdirSync(dir, { mode: 0o755 })
      j = new WarmJail({ uid: slot.uid, cgroup: slot.cgroup, runner: r.runner, binds: [...binds, [dir, '/box']], tmpfsBytes: r.tmpfsBytes }, key)
      this.warm.set(slot.uid, j)
    }
    linkTree(box, dir)
    try {
      return await j.run(r)
    } finally {
      emptyDir(dir)
    }
  }

  close (): void {
    for (const j of this.warm.values()) j.kill()
    this.warm.clear()
    this.pool.close()
    this.checkers.close()
  }
}
