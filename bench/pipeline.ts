/**
 * Pipeline bench (issue 5): end to end through real processes and the local Redis, POST /v1/rollouts →
 * scored by `npm run worker` processes → leased → acked, with format + math rewards on GSM8K-like integer
 * answers in groups of 16. Reports completions/s and the latency from POST to leasable (p50/p99), for 1
 * and 2 worker processes (the two cores are shared by Redis, the API, the workers and this driver), on a
 * single Redis and on the local Redis Cluster (scripts/redis-cluster.sh: 3 masters + 3 replicas, WAIT on),
 * side by side; then the failover drill's timeline (test/integration/queue/drill.ts).
 * Standalone: node --import tsx bench/pipeline.ts
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { freePort, percentile, rng, table } from './lib.ts'
import { deletePrefix } from '../test/integration/queue/helpers.ts'
import { failoverDrill } from '../test/integration/queue/drill.ts'

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const CLUSTER_URL = process.env.BENCH_REDIS_CLUSTER_URL ?? 'redis+cluster://127.0.0.1:7100,127.0.0.1:7101,127.0.0.1:7102'
const root = new URL('..', import.meta.url).pathname
const G = 16

interface Setup { rollouts: number, groups: number }

/** A GSM8K-like completion: a short chain of integer arithmetic and the answer (right about half the time). */
function completion (r: () => number, gold: number): string {
  const a = 2 + Math.floor(r() * 40)
  const b = 1 + Math.floor(r() * 9)
  const answer = r() < 0.5 ? gold : gold + 1 + Math.floor(r() * 5)
  const think = `Janet has ${a} apples and buys ${b} bags with ${b} apples each, so she gets ${b} * ${b} = ${b * b} more. ` +
    `Then ${a} + ${b * b} = ${a + b * b}. She gives some away and the rest is the answer.`
  return r() < 0.9 ? `<think>\n${think}\n</think>\n<answer>\n${answer}\n</answer>` : `${think} The answer is ${answer}.`
}

function rolloutBody (id: string, run: string, groups: number, r: () => number): string {
  return JSON.stringify({
    id,
    run,
    groups: Array.from({ length: groups }, (_, g) => {
      const gold = 10 + Math.floor(r() * 990)
      return { id: `${id}-${g}`, prompt: 'Janet has some apples... How many are left?', reference: { type: 'math', answer: String(gold) }, completions: Array.from({ length: G }, () => completion(r, gold)) }
    })
  })
}

function start (entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit'] })
}

async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  await exited
  clearTimeout(timer)
}

async function postJson (url: string, body: string): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const text = await res.text()
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`)
  return JSON.parse(text)
}

interface Result { target: string, workers: number, completions: number, seconds: number, rate: number, p50: number, p99: number, idle50: number, idle99: number }

/** Latency with nothing queued: one rollout of 4 groups at a time, POST until a long-polling trainer has it. */
async function idleLatency (url: string, rounds: number): Promise<number[]> {
  const r = rng(7)
  const out: number[] = []
  for (let i = 0; i < rounds; i++) {
    const body = rolloutBody(`idle-${i}`, 'idle', 4, r)
    const leasing = postJson(`${url}/v1/trainer/lease`, JSON.stringify({ run: 'idle', max_groups: 16, lease_ms: 60_000, wait_ms: 10_000 }))
    const t0 = performance.now()
    await postJson(`${url}/v1/rollouts`, body)
    const l = await leasing
    out.push(performance.now() - t0)
    if (l.lease !== null) await postJson(`${url}/v1/trainer/ack`, JSON.stringify({ lease: l.lease }))
  }
  return out
}

/** One measured pass: submit every rollout (4 in flight) while a trainer leases and acks until all groups came. */
async function pass (url: string, run: string, setup: Setup, seed: number): Promise<{ completions: number, seconds: number, latencies: number[] }> {
  const r = rng(seed)
  const bodies = Array.from({ length: setup.rollouts }, (_, i) => ({ id: `${run}-${i}`, body: rolloutBody(`${run}-${i}`, run, setup.groups, r) }))
  const posted = new Map<string, number>()
  const leasable = new Map<string, number>()
  const total = setup.rollouts * setup.groups
  const t0 = performance.now()
  let next = 0
  const submit = Promise.all(Array.from({ length: 4 }, async () => {
    while (next < bodies.length) {
      const b = bodies[next++]
      if (b === undefined) break
      posted.set(b.id, performance.now())
      await postJson(`${url}/v1/rollouts`, b.body)
    }
  }))
  let got = 0
  const deadline = Date.now() + 180_000
  while (got < total && Date.now() < deadline) {
    const l = await postJson(`${url}/v1/trainer/lease`, JSON.stringify({ run, max_groups: 1024, lease_ms: 60_000, wait_ms: 2000 }))
    if (l.lease === null) continue
    const now = performance.now()
    for (const g of l.groups as Array<{ rollout_id: string }>) if (!leasable.has(g.rollout_id)) leasable.set(g.rollout_id, now)
    got += (l.groups as unknown[]).length
    await postJson(`${url}/v1/trainer/ack`, JSON.stringify({ lease: l.lease }))
  }
  await submit
  if (got < total) throw new Error(`only ${got} of ${total} groups came within the deadline`)
  const seconds = (performance.now() - t0) / 1000
  const latencies = [...leasable].map(([id, at]) => at - (posted.get(id) ?? at))
  return { completions: total * G, seconds, latencies }
}

async function measure (target: string, redisUrl: string, workers: number, setup: Setup): Promise<Result> {
  const prefix = `bench-${randomUUID().slice(0, 8)}`
  const port = await freePort()
  const env = { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, EMBEDDED_WORKER: 'false', HOST: '127.0.0.1', PORT: String(port), QUEUE_MAX_DEPTH: '100000' }
  const api = start('src/server.ts', env)
  const ws = Array.from({ length: workers }, () => start('src/worker.ts', { ...env, WORKER_CONCURRENCY: '4' }))
  const url = `http://127.0.0.1:${port}`
  try {
    for (let i = 0; i < 1200; i++) {
      try { if ((await fetch(`${url}/healthz`)).ok) break } catch {}
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    await pass(url, 'warmup', { rollouts: 2 * workers, groups: 8 }, 1) // every worker started and warm
    const m = await pass(url, 'measured', setup, 42)
    const idle = await idleLatency(url, 30)
    return { target, workers, completions: m.completions, seconds: m.seconds, rate: m.completions / m.seconds, p50: percentile(m.latencies, 50), p99: percentile(m.latencies, 99), idle50: percentile(idle, 50), idle99: percentile(idle, 99) }
  } finally {
    await Promise.all([...ws, api].map(stop))
    await deletePrefix(prefix, redisUrl)
  }
}

export async function benchPipeline (setup: Setup = { rollouts: 40, groups: 64 }): Promise<string> {
  // interleaved (single, cluster, single, cluster) so that load on the shared machine hits both alike
  const single1 = await measure('single Redis', REDIS_URL, 1, setup)
  const cluster1 = await measure('Redis Cluster (3+3, WAIT 1)', CLUSTER_URL, 1, setup)
  const single2 = await measure('single Redis', REDIS_URL, 2, setup)
  const cluster2 = await measure('Redis Cluster (3+3, WAIT 1)', CLUSTER_URL, 2, setup)
  const rows = [single1, cluster1, single2, cluster2].map(r => [r.target, `${r.workers} worker process${r.workers > 1 ? 'es' : ''}`, r.completions, r.seconds, r.rate, r.p50, r.p99, r.idle50, r.idle99])
  const drill = await failoverDrill({ kills: 3, rollouts: 60, groups: 4, seed: 7 })
  const kills = drill.kills.map(k => `${k.at.toFixed(1)} s (failover ${k.failoverS.toFixed(1)} s)`).join(', ')
  return table(`Pipeline end to end: POST /v1/rollouts → scored (format + math) → leased → acked; ${setup.rollouts} rollouts × ${setup.groups} groups × ${G} completions, 4 POSTs in flight, one trainer (lease 1,024 / ack)`,
    ['Redis', 'workers', 'completions', 'seconds', 'completions/s', 'p50 POST→leasable, loaded (ms)', 'p99 loaded (ms)', 'p50 POST→leasable, idle (ms)', 'p99 idle (ms)'], rows) +
    '\n\nLoaded: every rollout submitted as fast as the API takes them, so latency is mostly time queued behind earlier rollouts. ' +
    'Idle: 30 rollouts of 4 groups × 16, one at a time, a trainer long-polling (wait_ms) for each. ' +
    'The cluster runs on the same 2 cores as everything else (6 redis-servers), and every 202, lease and ack waits for a replica (WAIT).' +
    `\n\nCluster vs single Redis, completions/s: ${(cluster1.rate / single1.rate).toFixed(2)}× with 1 worker, ${(cluster2.rate / single2.rate).toFixed(2)}× with 2 (target ≥ 0.8). ` +
    `2 workers vs 1: ${(single2.rate / single1.rate).toFixed(2)}× on a single Redis, ${(cluster2.rate / cluster1.rate).toFixed(2)}× on the cluster.` +
    '\n\n' + table(`Failover drill: a Redis Cluster of its own (3 masters + 3 replicas, cluster-node-timeout 1 s), the API and 2 workers, rollouts of 4 groups submitted and leased/acked throughout; 3 masters SIGKILLed at ${kills}`,
    ['rollouts accepted', 'groups', 'groups lost', 'acked groups delivered again', 'delivered twice within a lease', 'redelivered after a lease expiry / 409', 'seconds with a 503', 'seconds with a request > 1.5 s', '503 answers / requests', 'drill seconds'],
    [[drill.accepted, drill.groups, drill.lost, drill.ackedAgain, drill.unexplained, drill.redelivered, drill.seconds503, drill.secondsSlow, `${drill.status503} / ${drill.requests}`, drill.totalS]])
}

if (process.argv[1]?.endsWith('pipeline.ts') === true) console.log(await benchPipeline())
