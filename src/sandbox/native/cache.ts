/**
 * Content-addressed build cache: key = sha256(language, program kind, toolchain stamp, compile argv, source),
 * value = a directory objects/<key>/ with the artifact under box/ (root-owned, read-only to jails) and
 * meta.json ({kind: 'ok' | 'compile_error', message?, bytes, compile_ms}). Entries appear by one atomic
 * rename from staging/, so a reader sees a whole entry or none, across processes too; two processes that
 * build the same key at once both rename, the second finds the first's entry and drops its own. Within a
 * process, concurrent requests for one key share one build (one in-flight promise per key).
 * Bounded on disk: past max bytes, the least recently used entries (mtime, touched on every hit) that no
 * request of this process is using are removed.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export type BuildOutcome =
  | { kind: 'ok', box: string, cached: boolean, compileMs: number }
  | { kind: 'compile_error', message: string, cached: boolean, compileMs: number }
  | { kind: 'error', reason: string }

/** What a builder leaves in its staging directory: box/ filled, and whether to keep the entry. */
export type StagedBuild =
  | { kind: 'ok', bytes: number, compileMs: number }
  | { kind: 'compile_error', message: string, compileMs: number, cacheable: boolean }
  | { kind: 'error', reason: string }

interface Meta { kind: 'ok' | 'compile_error', message?: string, bytes: number, compile_ms: number }

export function cacheKey (parts: string[]): string {
  const h = createHash('sha256')
  for (const p of parts) h.update(String(p.length)).update(':').update(p)
  return h.digest('hex')
}

export class BuildCache {
  readonly dir: string
  private readonly objects: string
  private readonly staging: string
  private readonly maxBytes: number
  private readonly inflight = new Map<string, Promise<BuildOutcome>>()
  private readonly inUse = new Map<string, number>()
  private total: number | null = null
  hits = 0
  builds = 0

  constructor (dir: string, maxBytes: number) {
    this.dir = dir
    this.objects = join(dir, 'objects')
    this.staging = join(dir, 'staging')
    this.maxBytes = maxBytes
    for (const d of [dir, this.objects, this.staging]) {
      mkdirSync(d, { recursive: true })
      chmodSync(d, 0o711) // jail uids traverse to their binds; none can list or write
    }
    this.sweepStaging()
  }

  /** Staging dirs of processes that died mid-build (killed, crashed) hold jail-uid files: remove them. */
  private sweepStaging (): void {
    for (const name of readdirSync(this.staging)) {
      const pid = Number(/^[0-9a-f]+-(\d+)-[0-9a-f]+$/.exec(name)?.[1] ?? NaN)
      if (Number.isInteger(pid) ? pidAlive(pid) : !name.startsWith('evict-')) continue
      try { rmSync(join(this.staging, name), { recursive: true, force: true }) } catch { /* raced with its owner */ }
    }
  }

  /** The built artifact for `key` (building it with `build` at most once per process at a time). */
  get (key: string, build: (stagingDir: string) => Promise<StagedBuild>): Promise<BuildOutcome> {
    const hit = this.lookup(key)
    if (hit) return Promise.resolve(hit)
    let p = this.inflight.get(key)
    if (!p) {
      p = this.buildOnce(key, build).finally(() => this.inflight.delete(key))
      this.inflight.set(key, p)
    }
    return p
  }

  /** Marks an entry in use (not evicted) until the returned function is called. */
  hold (key: string): () => void {
    this.inUse.set(key, (this.inUse.get(key) ?? 0) + 1)
    let done = false
    return () => {
      if (done) return
      done = true
      const n = (this.inUse.get(key) ?? 1) - 1
      if (n <= 0) this.inUse.delete(key)
      else this.inUse.set(key, n)
    }
  }

  private lookup (key: string): Exclude<BuildOutcome, { kind: 'error' }> | null {
    const entry = join(this.objects, key)
    let meta: Meta
    try { meta = JSON.parse(readFileSync(join(entry, 'meta.json'), 'utf8')) as Meta } catch { return null }
    try { const now = new Date(); utimesSync(entry, now, now) } catch { /* evicted meanwhile */ }
    this.hits++
    if (meta.kind === 'compile_error') return { kind: 'compile_error', message: meta.message ?? '', cached: true, compileMs: meta.compile_ms }
    return { kind: 'ok', box: join(entry, 'box'), cached: true, compileMs: meta.compile_ms }
  }

  private async buildOnce (key: string, build: (stagingDir: string) => Promise<StagedBuild>): Promise<BuildOutcome> {
    const stage = join(this.staging, `${key}-${process.pid}-${randomBytes(6).toString('hex')}`)
    mkdirSync(stage, { mode: 0o755 })
    try {
      this.builds++
      const r = await build(stage)
      if (r.kind === 'error') return r
      if (r.kind === 'compile_error' && !r.cacheable) return { kind: 'compile_error', message: r.message, cached: false, compileMs: r.compileMs }
      const meta: Meta = r.kind === 'ok'
        ? { kind: 'ok', bytes: r.bytes, compile_ms: r.compileMs }
        : { kind: 'compile_error', message: r.message, bytes: r.message.length, compile_ms: r.compileMs }
      writeFileSync(join(stage, 'meta.json'), JSON.stringify(meta), { mode: 0o644 })
      const entry = join(this.objects, key)
      try {
        renameSync(stage, entry)
        this.added(meta.bytes)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err
        // another process built the same key first: use its entry
      }
      const found = this.lookup(key)
      this.hits-- // not a hit: this request built it
      if (found === null) return { kind: 'error', reason: 'build cache entry vanished' }
      return { ...found, cached: false, compileMs: r.compileMs }
    } catch (err) {
      return { kind: 'error', reason: `build cache: ${(err as Error).message}` }
    } finally {
      if (existsSync(stage)) rmSync(stage, { recursive: true, force: true })
    }
  }

  private entryBytes (name: string): number {
    try { return (JSON.parse(readFileSync(join(this.objects, name, 'meta.json'), 'utf8')) as Meta).bytes } catch { return 0 }
  }

  private added (bytes: number): void {
    if (this.total === null) {
      this.total = readdirSync(this.objects).reduce((s, n) => s + this.entryBytes(n), 0)
    } else {
      this.total += bytes
    }
    if (this.total > this.maxBytes) this.evict()
  }

  /** Removes least recently used entries (not in use here) until the cache is under 90% of its bound. */
  evict (): void {
    const entries = readdirSync(this.objects).map(name => {
      let mtime = 0
      try { mtime = statSync(join(this.objects, name)).mtimeMs } catch { /* gone */ }
      return { name, mtime, bytes: this.entryBytes(name) }
    }).sort((a, b) => a.mtime - b.mtime)
    let total = entries.reduce((s, e) => s + e.bytes, 0)
    for (const e of entries) {
      if (total <= this.maxBytes * 0.9) break
      if (this.inUse.has(e.name)) continue
      // rename first so no reader sees a half-removed entry
      const gone = join(this.staging, `evict-${e.name}-${randomBytes(4).toString('hex')}`)
      try { renameSync(join(this.objects, e.name), gone) } catch { continue }
      rmSync(gone, { recursive: true, force: true })
      total -= e.bytes
    }
    this.total = total
  }

  /** Bytes of all entries (scanned). */
  size (): number {
    return readdirSync(this.objects).reduce((s, n) => s + this.entryBytes(n), 0)
  }
}

function pidAlive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM' }
}

const pendingDirs = new Map<string, Promise<string>>()

/** A directory made once by `build` (which must leave it at `dir`), shared by concurrent callers of this process. */
export function dirOnce (dir: string, build: () => Promise<string>): Promise<string> {
  if (existsSync(dir)) return Promise.resolve(dir)
  let p = pendingDirs.get(dir)
  if (!p) {
    p = build().finally(() => pendingDirs.delete(dir))
    pendingDirs.set(dir, p)
  }
  return p
}
