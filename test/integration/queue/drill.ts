/**
 * The failover drill (used by failover.test.ts and bench/pipeline.ts): a Redis Cluster of its own (3 masters
 * + 3 replicas, scripts/redis-cluster.sh on free ports), the API and two scoring workers as real processes,
 * a producer submitting rollouts and a trainer leasing and acking them, while a master is SIGKILLed at
 * random points, several times (each time: wait for its replica to take over, restart the killed node, which
 * rejoins as a replica, wait until it has synced). Then everything accepted is drained and counted:
 *   lost          groups of rollouts answered 202 that were never delivered (must be 0)
 *   ackedAgain    groups delivered again after an ack of them was answered 200 (must be 0)
 *   unexplained   groups delivered again while their previous lease had neither expired nor been refused
 *                 (more than once per lease expiry; must be 0)
 *   redelivered   groups delivered again after their lease expired or its ack got 409 (expected)
 * and the timeline: seconds during which the API answered 503 (or not at all), and seconds with a request
 * that took over 1.5 s (waiting on the failover).
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { mathRollout, post, startProcess, type Proc } from './helpers.ts'

const root = new URL('../../../', import.meta.url).pathname

export interface DrillOptions { kills: number, rollouts: number, groups: number, seed?: number, log?: (line: string) => void }
export interface DrillReport {
  kills: Array<{ port: number, at: number, failoverS: number }>
  accepted: number
  groups: number
  lost: number
  ackedAgain: number
  unexplained: number
  redelivered: number
  seconds503: number
  secondsSlow: number
  requests: number
  status503: number
  totalS: number
}

async function portFree (port: number): Promise<boolean> {
  return await new Promise(resolve => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

/** Six consecutive free ports whose cluster bus ports (+10000) are free too. */
async function freeBase (): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const base = 20_000 + Math.floor(Math.random() * 5000)
    let ok = true
    for (let p = base; p < base + 6 && ok; p++) ok = await portFree(p) && await portFree(p + 10_000)
    if (ok) return base
  }
  throw new Error('no free ports for a drill cluster')
}

export class DrillCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'rwd-drill-'))
  constructor (readonly base: number) {}
  static async create (): Promise<DrillCluster> {
    const c = new DrillCluster(await freeBase())
    c.script('start')
    return c
  }

  get url (): string { return `redis+cluster://127.0.0.1:${this.base},127.0.0.1:${this.base + 1},127.0.0.1:${this.base + 2}` }
  private script (cmd: string): void {
    const r = spawnSync('bash', [join(root, 'scripts/redis-cluster.sh'), cmd, String(this.base), this.dir], { env: { ...process.env, CLUSTER_NODE_TIMEOUT_MS: '1000' }, encoding: 'utf8', timeout: 60_000 })
    if (r.status !== 0) throw new Error(`redis-cluster.sh ${cmd}: ${r.stderr}`)
  }

  /** `cluster nodes` as seen by any node that answers. */
  async nodes (): Promise<Array<{ port: number, master: boolean, failed: boolean, slots: boolean, masterId: string, id: string }>> {
    for (let p = this.base; p < this.base + 6; p++) {
      const r = new Redis(p, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 500 })
      r.on('error', () => {})
      try {
        await r.connect()
        const text = await r.call('CLUSTER', 'NODES') as string
        return text.trim().split('\n').map(line => {
          const f = line.split(' ')
          return { id: f[0]!, port: Number(f[1]!.split(':')[1]!.split('@')[0]), master: f[2]!.includes('master'), failed: /fail/.test(f[2]!), masterId: f[3]!, slots: f.length > 8 }
        })
      } catch {} finally { r.disconnect() }
    }
    throw new Error('no node of the drill cluster answers')
  }

  async ok (): Promise<boolean> {
    for (let p = this.base; p < this.base + 6; p++) {
      const r = new Redis(p, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 500 })
      r.on('error', () => {})
      try {
        await r.connect()
        if (!/cluster_state:ok/.test(await r.call('CLUSTER', 'INFO') as string)) return false
      } catch {} finally { r.disconnect() }
    }
    const nodes = await this.nodes()
    return nodes.filter(n => n.master && n.slots && !n.failed).length === 3
  }

  /** Every replica has finished its sync with its master (a replica still loading cannot take over). */
  async replicasSynced (): Promise<boolean> {
    const replicas = (await this.nodes()).filter(n => !n.master && !n.failed)
    for (const n of replicas) {
      const r = new Redis(n.port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 500 })
      r.on('error', () => {})
      try {
        await r.connect()
        const info = await r.call('INFO', 'replication') as string
        if (!/master_link_status:up/.test(info) || /master_sync_in_progress:1/.test(info)) return false
      } catch { return false } finally { r.disconnect() }
    }
    return replicas.length === 3
  }

  pid (port: number): number { return Number(readFileSync(join(this.dir, String(port), 'redis.pid'), 'utf8').trim()) }
  restart (): void { this.script('start') }
  destroy (): void { try { this.script('stop') } catch {} rmSync(this.dir, { recursive: true, force: true }) }
}

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

async function waitFor (what: string, fn: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await fn().catch(() => false)) return
    await sleep(100)
  }
  throw new Error(`drill: timed out waiting for ${what}`)
}

/** Runs the drill against a cluster of its own; the cluster and processes are gone when it returns. */
export async function failoverDrill (opts: DrillOptions): Promise<DrillReport> {
  const log = opts.log ?? (() => {})
  const cluster = await DrillCluster.create()
  const procs: Proc[] = []
  let seed = opts.seed ?? 1
  const random = (): number => { seed = (seed * 48271) % 2147483647; return seed / 2147483647 }
  try {
    const env = { REDIS_URL: cluster.url, QUEUE_PREFIX: 'drill', EMBEDDED_WORKER: 'false', WORKER_LOCK_MS: '3000', WORKER_CONCURRENCY: '2', QUEUE_MAX_DEPTH: '100000' }
    const api = await startProcess('server', env)
    procs.push(api)
    procs.push(await startProcess('worker', env), await startProcess('worker', env))
    const t0 = Date.now()
    const requests: Array<{ at: number, ms: number, status: number }> = []
    const call = async (path: string, body: unknown): Promise<{ status: number, json: any }> => {
      const s = Date.now()
      let res: { status: number, json: any }
      try { res = await post(`${api.url}${path}`, body) } catch { res = { status: 0, json: null } }
      requests.push({ at: s, ms: Date.now() - s, status: res.status })
      return res
    }
    const accepted: string[] = []
    const phase = { killing: true, leasing: true }
    const producer = (async () => {
      // at least opts.rollouts, and on until the last kill is over: rollouts are queued through every failover
      for (let i = 0; i < opts.rollouts || phase.killing; i++) {
        const id = `fo-${i}`
        for (;;) { // retried with the same id until 202: idempotent
          const res = await call('/v1/rollouts', mathRollout(id, opts.groups, 2, { run: 'fo' }))
          if (res.status === 202) { accepted.push(id); break }
          await sleep(100)
        }
        await sleep(20)
      }
    })()
    const delivered = new Map<string, number>()
    const acked = new Set<string>()
    const lastLease = new Map<string, { lease: string, expires: number, refused: boolean }>()
    let ackedAgain = 0
    let unexplained = 0
    let redelivered = 0
    const trainer = (async () => {
      while (phase.leasing) {
        const l = await call('/v1/trainer/lease', { run: 'fo', max_groups: 64, lease_ms: 4000, wait_ms: 500 })
        if (l.status !== 200 || l.json.lease === null) { if (l.status !== 200) await sleep(100); continue }
        const now = Date.now()
        const ids = (l.json.groups as Array<{ id: string }>).map(g => g.id)
        for (const g of ids) {
          const n = (delivered.get(g) ?? 0) + 1
          delivered.set(g, n)
          if (acked.has(g)) ackedAgain++
          const prev = lastLease.get(g)
          if (prev !== undefined) {
            if (prev.refused || now >= prev.expires - 50) redelivered++
            else unexplained++
          }
          lastLease.set(g, { lease: l.json.lease, expires: l.json.expires_at, refused: false })
        }
        for (let attempt = 0; attempt < 100; attempt++) { // an ack is retried until it answers: 200 or 409
          const a = await call('/v1/trainer/ack', { lease: l.json.lease })
          if (a.status === 200) { for (const g of ids) acked.add(g); break }
          if (a.status === 409 || a.status === 404) { for (const g of ids) lastLease.get(g)!.refused = true; break }
          await sleep(100)
        }
      }
    })()
    const kills: DrillReport['kills'] = []
    for (let k = 0; k < opts.kills; k++) {
      await sleep(800 + random() * 2500)
      // A replica still in its first sync (right after the cluster is made, or after a restart) cannot take over.
      await waitFor('every replica in sync', async () => await cluster.replicasSynced(), 30_000)
      const masters = (await cluster.nodes()).filter(n => n.master && n.slots && !n.failed)
      const victim = masters[Math.floor(random() * masters.length)]!
      const at = Date.now()
      process.kill(cluster.pid(victim.port), 'SIGKILL')
      log(`kill ${k + 1}: SIGKILL master :${victim.port} at ${((at - t0) / 1000).toFixed(1)} s`)
      await waitFor('a replica to take over', async () => {
        const nodes = await cluster.nodes()
        return nodes.some(n => n.master && n.slots && !n.failed && n.port !== victim.port) && nodes.filter(n => n.master && n.slots && !n.failed && n.port !== victim.port).length === 3
      }, 30_000)
      const failoverS = (Date.now() - at) / 1000
      kills.push({ port: victim.port, at: (at - t0) / 1000, failoverS })
      log(`  failover after ${failoverS.toFixed(1)} s; restarting :${victim.port} as a replica`)
      cluster.restart()
      await waitFor('the cluster to be whole again', async () => await cluster.ok() && await cluster.replicasSynced(), 30_000)
    }
    phase.killing = false
    await producer
    // drain: everything accepted is delivered and acked, then nothing more comes
    const expected = accepted.flatMap(id => Array.from({ length: opts.groups }, (_, g) => `${id}-g${g}`))
    await waitFor('every accepted group acked', async () => expected.every(g => acked.has(g)), 180_000).catch(() => {})
    await sleep(5000) // anything still to be redelivered (an expired lease) comes within one lease length
    phase.leasing = false
    await trainer
    const lost = expected.filter(g => !delivered.has(g)).length
    const secondsOf = (pred: (r: { ms: number, status: number }) => boolean): number => {
      const bad = new Set<number>()
      for (const r of requests) if (pred(r)) for (let s = Math.floor((r.at - t0) / 1000); s <= Math.floor((r.at + r.ms - t0) / 1000); s++) bad.add(s)
      return bad.size
    }
    return {
      kills,
      accepted: accepted.length,
      groups: expected.length,
      lost,
      ackedAgain,
      unexplained,
      redelivered,
      seconds503: secondsOf(r => r.status === 503 || r.status === 0),
      secondsSlow: secondsOf(r => r.ms > 1500), // a lease long-polls 500 ms: over 1.5 s is waiting on Redis
      requests: requests.length,
      status503: requests.filter(r => r.status === 503).length,
      totalS: (Date.now() - t0) / 1000
    }
  } finally {
    for (const p of procs) await p.stop('SIGKILL')
    cluster.destroy()
  }
}
