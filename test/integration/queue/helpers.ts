/**
 * Helpers for the pipeline's integration tests: real Redis (the one on 6379, or a redis-server a test
 * starts on a free port), real processes (the API and workers as npm start / npm run worker run them),
 * a unique QUEUE_PREFIX per test and its keys deleted afterwards. Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { TestContext } from 'node:test'
import { Redis, Cluster } from 'ioredis'
import { freePort } from '../../net.ts'
import { connect, type RedisClient } from '../../../src/queue/redis.ts'

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
/** The local Redis Cluster that npm run setup starts (scripts/redis-cluster.sh, 3 masters + 3 replicas). */
export const CLUSTER_URL = process.env.TEST_REDIS_CLUSTER_URL ?? 'redis+cluster://127.0.0.1:7100,127.0.0.1:7101,127.0.0.1:7102'

/** The two targets the pipeline's tests run against: a single Redis and a Redis Cluster. */
export const TARGETS = [{ name: 'redis', url: REDIS_URL }, { name: 'cluster', url: CLUSTER_URL }] as const

/** A client for a test's own checks (a Cluster for redis+cluster:// URLs). */
export function client (url: string): RedisClient {
  const c = connect(url, { maxRetriesPerRequest: 3 })
  c.on('error', () => {})
  return c
}
const root = new URL('../../../', import.meta.url).pathname

export function uniquePrefix (name: string): string {
  return `t-${name}-${randomUUID().slice(0, 8)}`
}

/** Deletes every key under `prefix:` when the test ends (bounded SCAN). */
export function cleanupPrefix (t: TestContext, prefix: string, url = REDIS_URL): void {
  t.after(async () => { await deletePrefix(prefix, url) })
}

export async function deletePrefix (prefix: string, url = REDIS_URL): Promise<void> {
  const c = connect(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null })
  c.on('error', () => {})
  try {
    await c.connect()
    // on a cluster every master holds some of the keys: scan each, delete one key at a time (slots differ)
    const nodes: Redis[] = c instanceof Cluster ? c.nodes('master') : [c]
    for (const r of nodes) {
      let cursor = '0'
      for (let i = 0; i < 10_000; i++) {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
        await Promise.all(keys.map(async k => await c.del(k)))
        cursor = next
        if (cursor === '0') break
      }
    }
  } catch {} finally { c.disconnect() }
}

export { freePort }

export async function until<T> (what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn().catch(() => undefined)
    if (v !== undefined && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
}

/** A redis-server of the test's own, with append-only persistence in a temporary directory. */
export class OwnRedis {
  child: ChildProcess | undefined
  readonly dir = mkdtempSync(join(tmpdir(), 'rwd-redis-'))
  constructor (readonly port: number) {}
  get url (): string { return `redis://127.0.0.1:${this.port}` }

  async start (): Promise<void> {
    this.child = spawn('/usr/bin/redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--appendonly', 'yes',
      '--appendfsync', 'always', '--save', '', '--dir', this.dir, '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' })
    await until('redis-server to answer', async () => {
      const r = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 })
      r.on('error', () => {})
      try { await r.connect(); return (await r.ping()) === 'PONG' } finally { r.disconnect() }
    }, 10_000)
  }

  /** A clean shutdown (SIGTERM): Redis flushes its append-only file and exits. */
  async stop (): Promise<void> {
    const c = this.child
    if (c === undefined || c.exitCode !== null) return
    c.kill('SIGTERM')
    await new Promise(resolve => c.once('exit', resolve))
    this.child = undefined
  }

  async destroy (): Promise<void> {
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}

export interface Proc { child: ChildProcess, url: string, log: () => string, stop: (signal?: NodeJS.Signals) => Promise<number | null> }

/** Starts `src/server.ts` or `src/worker.ts` in its own process with the given environment. */
export async function startProcess (entry: 'server' | 'worker', env: Record<string, string>): Promise<Proc> {
  const port = entry === 'server' ? await freePort() : 0
  const child = spawn(process.execPath, ['--import', 'tsx', `src/${entry}.ts`], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', MATH_THREADS: '1', TEXT_THREADS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000) })
  child.stderr?.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000) })
  const url = `http://127.0.0.1:${port}`
  if (entry === 'server') {
    await until(`${entry} to answer /healthz`, async () => (await fetch(`${url}/healthz`)).ok, 30_000, 100)
  }
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
    const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    const code = await exited
    clearTimeout(timer)
    return code
  }
  return { child, url, log: () => out, stop }
}

export async function post (url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number, json: any, headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const text = await res.text()
  return { status: res.status, json: text === '' ? null : JSON.parse(text), headers: res.headers }
}

export const r1 = (answer: string): string => `<think>\nLet me compute it step by step.\n</think>\n<answer>\n${answer}\n</answer>`

/** A rollout of `groups` math groups of `size` completions with integer answers, group ids `${id}-g${i}`. */
export function mathRollout (id: string, groups: number, size = 4, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    ...extra,
    groups: Array.from({ length: groups }, (_, g) => ({
      id: `${id}-g${g}`,
      prompt: `What is ${g} + ${g}?`,
      reference: { type: 'math', answer: String(2 * g) },
      completions: Array.from({ length: size }, (_, c) => r1(String(c % 2 === 0 ? 2 * g : 2 * g + 1))),
      metadata: { group: g }
    }))
  }
}

export { randomUUID }
