import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { queueApp } from './app.ts'
import { TARGETS, mathRollout, until } from './helpers.ts'
import type { App } from '../../../src/http/services.ts'

interface Leased { lease: string | null, expires_at: number | null, groups: Array<{ id: string, rollout_id: string, policy_version: number | null, metadata?: unknown, results: unknown[], advantages: number[], completions: string[] }>, dropped_stale: number }

async function submitAndWait (app: App, body: Record<string, unknown>): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/v1/rollouts', payload: body })
  assert.equal(res.statusCode, 202, res.body)
  const st = await app.inject({ method: 'GET', url: `/v1/rollouts/${String(body.id)}?wait=20000` })
  assert.equal(st.json().state, 'completed', st.body)
}

async function lease (app: App, body: Record<string, unknown>): Promise<Leased> {
  const res = await app.inject({ method: 'POST', url: '/v1/trainer/lease', payload: body })
  assert.equal(res.statusCode, 200, res.body)
  return res.json<Leased>()
}

const settle = async (app: App, op: string, body: Record<string, unknown>): Promise<{ statusCode: number, json: any }> => {
  const res = await app.inject({ method: 'POST', url: `/v1/trainer/${op}`, payload: body })
  return { statusCode: res.statusCode, json: res.json() }
}

for (const target of TARGETS) {
  describe(`pipeline on ${target.name}`, () => {
    test('lease → ack: groups in order, whole, with advantages and metadata; acked groups are never delivered again', async (t) => {
      const { app } = await queueApp(t, { url: target.url, worker: true, name: 'ack' })
      await submitAndWait(app, mathRollout('a1', 5, 4, { run: 'ack', policy_version: 3 }))
      const l = await lease(app, { run: 'ack', max_groups: 3, lease_ms: 30_000 })
      assert.ok(l.lease !== null)
      assert.deepEqual(l.groups.map(g => g.id), ['a1-g0', 'a1-g1', 'a1-g2'])
      const g = l.groups[1]!
      assert.equal(g.rollout_id, 'a1')
      assert.equal(g.policy_version, 3)
      assert.deepEqual(g.metadata, { group: 1 })
      assert.equal(g.results.length, 4)
      assert.equal(g.completions.length, 4)
      assert.equal(g.advantages.length, 4)
      assert.ok(l.expires_at !== null && l.expires_at > Date.now() + 25_000)
      assert.deepEqual((await settle(app, 'ack', { lease: l.lease })).json, { acked: 3 })
      assert.deepEqual((await settle(app, 'ack', { lease: l.lease })).json, { acked: 3 }, 'a repeated ack (a retry) answers the same')
      const rest = await lease(app, { run: 'ack', max_groups: 10, lease_ms: 1000 })
      assert.deepEqual(rest.groups.map(g => g.id), ['a1-g3', 'a1-g4'])
      assert.equal((await settle(app, 'nack', { lease: rest.lease })).json.released, 2)
      // after the lease of the rest expired and was nacked, only those two come back: never the acked three
      const again = await lease(app, { run: 'ack', max_groups: 10, lease_ms: 1000 })
      assert.deepEqual(again.groups.map(g => g.id), ['a1-g3', 'a1-g4'])
      await settle(app, 'ack', { lease: again.lease })
      const none = await lease(app, { run: 'ack', max_groups: 10, lease_ms: 1000, wait_ms: 300 })
      assert.deepEqual(none, { lease: null, expires_at: null, groups: [], dropped_stale: 0 })
      const m = (await app.inject('/metrics')).body
      assert.match(m, /rwd_groups_acked_total\{run="ack"\} 5/)
      assert.match(m, /rwd_groups_redelivered_total\{run="ack",reason="nack"\} 2/)
      assert.match(m, /rwd_groups_published_total\{run="ack"\} 5/)
      assert.match(m, /rwd_queue_jobs_total\{outcome="completed"\} 1/)
    })

    test('a 1 s lease is honoured: ack at ~0.7 s succeeds; past 1 s ack → 409 lease_expired and the groups are delivered again', async (t) => {
      const { app } = await queueApp(t, { url: target.url, worker: true, name: 'lease1s' })
      await submitAndWait(app, mathRollout('s1', 2, 2, { run: 'fast' }))
      const a = await lease(app, { run: 'fast', max_groups: 1, lease_ms: 1000 })
      assert.deepEqual(a.groups.map(g => g.id), ['s1-g0'])
      await new Promise(resolve => setTimeout(resolve, 700))
      assert.deepEqual((await settle(app, 'ack', { lease: a.lease })).json, { acked: 1 }, 'inside the second')

      const b = await lease(app, { run: 'fast', max_groups: 1, lease_ms: 1000 })
      assert.deepEqual(b.groups.map(g => g.id), ['s1-g1'])
      const t0 = Date.now()
      const during = await lease(app, { run: 'fast', max_groups: 5, lease_ms: 1000 })
      assert.equal(during.groups.length, 0, 'a live lease is not handed to anyone else')
      // a second trainer long-polls and gets the group as soon as the first lease runs out (well within 1.5 s)
      const c = await lease(app, { run: 'fast', max_groups: 5, lease_ms: 5000, wait_ms: 3000 })
      const waited = Date.now() - t0
      assert.deepEqual(c.groups.map(g => g.id), ['s1-g1'])
      assert.ok(waited >= 900 && waited < 1600, `redelivered after ${waited} ms`)
      const late = await settle(app, 'ack', { lease: b.lease })
      assert.equal(late.statusCode, 409)
      assert.equal(late.json.code, 'RWD_ERR_LEASE_EXPIRED')
      assert.match(late.json.message, /^lease_expired/)
      assert.equal((await settle(app, 'extend', { lease: b.lease, lease_ms: 5000 })).statusCode, 409)
      assert.deepEqual((await settle(app, 'ack', { lease: c.lease })).json, { acked: 1 })
      assert.match((await app.inject('/metrics')).body, /rwd_groups_redelivered_total\{run="fast",reason="expired"\} 1/)
    })

    test('extend keeps a lease alive past its first expiry; unknown leases → 404; bad lease_ms → 400', async (t) => {
      const { app } = await queueApp(t, { url: target.url, worker: true, name: 'extend', env: { LEASE_MAX_MS: '60000' } })
      await submitAndWait(app, mathRollout('e1', 1, 2, { run: 'ext' }))
      const a = await lease(app, { run: 'ext', max_groups: 1, lease_ms: 1000 })
      const ext = await settle(app, 'extend', { lease: a.lease, lease_ms: 3000 })
      assert.equal(ext.statusCode, 200)
      assert.ok(ext.json.expires_at > a.expires_at!)
      await new Promise(resolve => setTimeout(resolve, 1300))
      assert.equal((await lease(app, { run: 'ext', max_groups: 1, lease_ms: 1000 })).groups.length, 0, 'still leased after the first expiry')
      assert.deepEqual((await settle(app, 'ack', { lease: a.lease })).json, { acked: 1 })
      const unknown = await settle(app, 'ack', { lease: 'ext.00000000-0000-0000-0000-000000000000' })
      assert.equal(unknown.statusCode, 404)
      assert.equal(unknown.json.code, 'RWD_ERR_LEASE_NOT_FOUND')
      assert.equal((await settle(app, 'ack', { lease: 'garbage' })).statusCode, 404)
      const short = await app.inject({ method: 'POST', url: '/v1/trainer/lease', payload: { max_groups: 1, lease_ms: 999 } })
      assert.equal(short.statusCode, 400)
      const long = await app.inject({ method: 'POST', url: '/v1/trainer/lease', payload: { max_groups: 1, lease_ms: 60_001 } })
      assert.equal(long.statusCode, 400)
      assert.match(long.json().message, /LEASE_MAX_MS/)
    })

    test('runs are isolated; min_policy_version drops and counts stale groups; groups without a version are kept', async (t) => {
      const { app } = await queueApp(t, { url: target.url, worker: true, name: 'runs' })
      await submitAndWait(app, mathRollout('old', 2, 2, { run: 'A', policy_version: 1 }))
      await submitAndWait(app, mathRollout('new', 2, 2, { run: 'A', policy_version: 5 }))
      await submitAndWait(app, mathRollout('nov', 1, 2, { run: 'A' }))
      await submitAndWait(app, mathRollout('b', 3, 2, { run: 'B', policy_version: 1 }))
      await submitAndWait(app, mathRollout('dflt', 1, 2))
      const a = await lease(app, { run: 'A', max_groups: 100, lease_ms: 10_000, min_policy_version: 4 })
      assert.deepEqual(a.groups.map(g => g.id), ['new-g0', 'new-g1', 'nov-g0'])
      assert.equal(a.dropped_stale, 2)
      const b = await lease(app, { run: 'B', max_groups: 100, lease_ms: 10_000 })
      assert.deepEqual(b.groups.map(g => g.id), ['b-g0', 'b-g1', 'b-g2'])
      const d = await lease(app, { max_groups: 100, lease_ms: 10_000 })
      assert.deepEqual(d.groups.map(g => g.id), ['dflt-g0'], 'no run means "default"')
      assert.equal((await settle(app, 'nack', { lease: a.lease })).json.released, 3)
      const b2 = await lease(app, { run: 'B', max_groups: 100, lease_ms: 10_000 })
      assert.equal(b2.groups.length, 0, "run A's released groups never reach run B")
      const a2 = await lease(app, { run: 'A', max_groups: 100, lease_ms: 10_000 })
      assert.deepEqual(a2.groups.map(g => g.id), ['new-g0', 'new-g1', 'nov-g0'], 'the stale groups are gone for good')
      assert.match((await app.inject('/metrics')).body, /rwd_groups_dropped_stale_total\{run="A"\} 2/)
      const m = await until('depth metrics', async () => {
        const body = (await app.inject('/metrics')).body
        return /rwd_trainer_groups\{run="A",state="leased"\} 3/.test(body) ? body : undefined
      }, 5000)
      assert.match(m, /rwd_trainer_groups\{run="B",state="leased"\} 3/)
      assert.match(m, /rwd_redis_up 1/)
    })
  })
}
