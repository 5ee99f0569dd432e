/**
 * Faults that must lose nothing, with real processes (the API as npm start runs it, workers as npm run
 * worker runs them) and real Redis: a worker SIGKILLed mid-batch, a worker stopped with SIGTERM, Redis
 * restarted with persistence on, a trainer that leases and dies.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { REDIS_URL, TARGETS, OwnRedis, cleanupPrefix, freePort, mathRollout, post, startProcess, uniquePrefix, until, type Proc } from './helpers.ts'

const GROUPS = 40

async function submitAll (api: string, ids: string[], run: string): Promise<void> {
  for (const id of ids) {
    const res = await post(`${api}/v1/rollouts`, mathRollout(id, GROUPS, 4, { run }))
    assert.equal(res.status, 202, JSON.stringify(res.json))
  }
}

async function states (api: string, ids: string[]): Promise<string[]> {
  return await Promise.all(ids.map(async id => ((await (await fetch(`${api}/v1/rollouts/${id}`)).json()) as { state: string }).state))
}

/** Leases and acks everything of a run until `expected` groups came or time runs out; returns every id delivered. */
async function drain (api: string, run: string, expected: number): Promise<string[]> {
  const seen: string[] = []
  const deadline = Date.now() + 30_000
  while (seen.length < expected && Date.now() < deadline) {
    const l = await post(`${api}/v1/trainer/lease`, { run, max_groups: 500, lease_ms: 10_000, wait_ms: 1000 })
    assert.equal(l.status, 200, JSON.stringify(l.json))
    if (l.json.lease === null) continue
    seen.push(...(l.json.groups as Array<{ id: string }>).map(g => g.id))
    assert.equal((await post(`${api}/v1/trainer/ack`, { lease: l.json.lease })).status, 200)
  }
  const extra = await post(`${api}/v1/trainer/lease`, { run, max_groups: 500, lease_ms: 10_000, wait_ms: 500 })
  seen.push(...(extra.json.groups as Array<{ id: string }>).map(g => g.id))
  return seen
}

function assertEachOnce (seen: string[], ids: string[]): void {
  const expected = ids.flatMap(id => Array.from({ length: GROUPS }, (_, g) => `${id}-g${g}`)).sort()
  assert.equal(new Set(seen).size, seen.length, `a group was delivered twice: ${seen.length - new Set(seen).size} duplicates`)
  assert.deepEqual([...seen].sort(), expected, 'every group delivered')
}

const stopAll = (procs: Proc[]) => async () => { for (const p of procs) await p.stop('SIGKILL') }

for (const target of TARGETS) {
  test(`[${target.name}] a worker SIGKILLed mid-batch: every rollout is scored, each group delivered once`, async (t) => {
    const prefix = uniquePrefix('kill')
    cleanupPrefix(t, prefix, target.url)
    const env = { REDIS_URL: target.url, QUEUE_PREFIX: prefix, EMBEDDED_WORKER: 'false', WORKER_LOCK_MS: '1500', WORKER_CONCURRENCY: '2' }
    const procs: Proc[] = []
    t.after(stopAll(procs))
    const api = await startProcess('server', env)
    procs.push(api)
    const ids = Array.from({ length: 10 }, (_, i) => `kill-${i}`)
    await submitAll(api.url, ids, 'k')
    const w1 = await startProcess('worker', env)
    procs.push(w1)
    // kill it while it is scoring: some rollouts done, at least one in its hands
    const at = await until('the worker to be mid-batch', async () => {
      const s = await states(api.url, ids)
      return s.includes('active') && s.includes('completed') ? s : undefined
    }, 60_000, 20)
    await w1.stop('SIGKILL')
    assert.ok(at.filter(s => s !== 'completed').length > 0, 'killed before the end')
    const w2 = await startProcess('worker', env)
    procs.push(w2)
    await until('every rollout to complete', async () => (await states(api.url, ids)).every(s => s === 'completed'), 90_000, 200)
    assertEachOnce(await drain(api.url, 'k', ids.length * GROUPS), ids)
    assert.equal(await w2.stop('SIGTERM'), 0, 'SIGTERM: a clean exit')
  })
}

test('a worker stopped with SIGTERM mid-batch exits cleanly and hands its work over', async (t) => {
  const prefix = uniquePrefix('term')
  cleanupPrefix(t, prefix)
  const env = { REDIS_URL, QUEUE_PREFIX: prefix, EMBEDDED_WORKER: 'false', WORKER_LOCK_MS: '1500', WORKER_SHUTDOWN_GRACE_MS: '200' }
  const procs: Proc[] = []
  t.after(stopAll(procs))
  const api = await startProcess('server', env)
  procs.push(api)
  const ids = Array.from({ length: 6 }, (_, i) => `term-${i}`)
  await submitAll(api.url, ids, 'tm')
  const w1 = await startProcess('worker', env)
  procs.push(w1)
  await until('the worker to be busy', async () => (await states(api.url, ids)).includes('active'), 60_000, 20)
  const t0 = Date.now()
  assert.equal(await w1.stop('SIGTERM'), 0)
  assert.ok(Date.now() - t0 < 10_000, 'stops within the grace period plus shutdown')
  assert.ok(!(await states(api.url, ids)).includes('active'), 'nothing left active: finished or handed back')
  procs.push(await startProcess('worker', env))
  await until('every rollout to complete', async () => (await states(api.url, ids)).every(s => s === 'completed'), 90_000, 200)
  assertEachOnce(await drain(api.url, 'tm', ids.length * GROUPS), ids)
})

test('Redis restarted while rollouts are queued: 503 fast while down, then the API and workers reconnect and finish', async (t) => {
  const redis = new OwnRedis(await freePort())
  await redis.start()
  t.after(async () => { await redis.destroy() })
  const prefix = uniquePrefix('restart')
  const env = { REDIS_URL: redis.url, QUEUE_PREFIX: prefix, EMBEDDED_WORKER: 'false', WORKER_LOCK_MS: '2000' }
  const procs: Proc[] = []
  t.after(stopAll(procs))
  const api = await startProcess('server', env)
  procs.push(api)
  const ids = Array.from({ length: 6 }, (_, i) => `rs-${i}`)
  await submitAll(api.url, ids, 'rs')
  procs.push(await startProcess('worker', env))
  await redis.stop()
  for (const [url, body] of [['/v1/rollouts', mathRollout('rs-down', 1, 2, { run: 'rs' })], ['/v1/trainer/lease', { run: 'rs', max_groups: 1, lease_ms: 1000, wait_ms: 2000 }]] as const) {
    const t0 = Date.now()
    const res = await post(`${api.url}${url}`, body)
    assert.equal(res.status, 503, `${url}: ${JSON.stringify(res.json)}`)
    assert.equal(res.json.code, 'RWD_ERR_QUEUE_UNAVAILABLE')
    assert.match(res.json.message, new RegExp(`Redis at redis://127\\.0\\.0\\.1:${redis.port} is unreachable`))
    assert.ok(Date.now() - t0 < 1500, `${url} answered in ${Date.now() - t0} ms`)
  }
  const st = await fetch(`${api.url}/v1/rollouts/rs-0`)
  assert.equal(st.status, 503)
  assert.equal(((await (await fetch(`${api.url}/readyz`)).json()) as { status: string }).status, 'degraded')
  await new Promise(resolve => setTimeout(resolve, 1000))
  await redis.start()
  await until('the API to reach Redis again', async () => (await post(`${api.url}/v1/rollouts`, mathRollout('rs-after', 1, 2, { run: 'rs2' }))).status === 202, 20_000, 200)
  await until('every rollout to complete', async () => (await states(api.url, ids)).every(s => s === 'completed'), 90_000, 200)
  assertEachOnce(await drain(api.url, 'rs', ids.length * GROUPS), ids)
})

test('a trainer that leases and dies: its groups come back after the lease expires, to another trainer', async (t) => {
  const prefix = uniquePrefix('trainer')
  cleanupPrefix(t, prefix)
  const env = { REDIS_URL, QUEUE_PREFIX: prefix }
  const procs: Proc[] = []
  t.after(stopAll(procs))
  const api = await startProcess('server', env) // with its embedded worker
  procs.push(api)
  await submitAll(api.url, ['td-0'], 'td')
  await until('scored', async () => (await states(api.url, ['td-0']))[0] === 'completed', 60_000, 100)
  // the doomed trainer: a process that leases for 1.5 s, reports what it got, and is killed before it acks
  const script = `const r = await fetch('${api.url}/v1/trainer/lease', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run: 'td', max_groups: 15, lease_ms: 1500 }) }); console.log(JSON.stringify((await r.json()).groups.map(g => g.id))); setInterval(() => {}, 1000)`
  const trainer = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  trainer.stdout.on('data', (d: Buffer) => { out += d.toString() })
  const leased = await until('the doomed trainer to lease', async () => out.includes(']') ? JSON.parse(out) as string[] : undefined, 20_000)
  const t0 = Date.now()
  trainer.kill('SIGKILL')
  assert.equal(leased.length, 15)
  const other = await post(`${api.url}/v1/trainer/lease`, { run: 'td', max_groups: 100, lease_ms: 10_000 })
  assert.deepEqual((other.json.groups as Array<{ id: string }>).map(g => g.id), Array.from({ length: GROUPS - 15 }, (_, i) => `td-0-g${i + 15}`), 'only the unleased groups meanwhile')
  await post(`${api.url}/v1/trainer/ack`, { lease: other.json.lease })
  const back = await post(`${api.url}/v1/trainer/lease`, { run: 'td', max_groups: 100, lease_ms: 10_000, wait_ms: 5000 })
  assert.deepEqual((back.json.groups as Array<{ id: string }>).map(g => g.id), leased, 'the dead trainer\'s groups, in order')
  assert.ok(Date.now() - t0 < 3000, 'right after the 1.5 s lease ran out')
  await post(`${api.url}/v1/trainer/ack`, { lease: back.json.lease })
  const none = await post(`${api.url}/v1/trainer/lease`, { run: 'td', max_groups: 100, lease_ms: 1000, wait_ms: 300 })
  assert.equal(none.json.groups.length, 0)
  const metrics = await (await fetch(`${api.url}/metrics`)).text()
  assert.match(metrics, /rwd_groups_redelivered_total\{run="td",reason="expired"\} 15/)
})
