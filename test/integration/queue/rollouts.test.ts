import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { queueApp } from './app.ts'
import { TARGETS, client, mathRollout, r1 } from './helpers.ts'
import { KeySpace } from '../../../src/queue/names.ts'

for (const target of TARGETS) {
  describe(`pipeline on ${target.name}`, () => {
    test('POST /v1/rollouts → 202; GET long-polls to the result, as /v1/score replies, metadata echoed', async (t) => {
      const { app } = await queueApp(t, { url: target.url, worker: true, name: 'roundtrip' })
      const body = mathRollout('rt-1', 3, 4, { run: 'rt', policy_version: 7 })
      const res = await app.inject({ method: 'POST', url: '/v1/rollouts', payload: body })
      assert.equal(res.statusCode, 202, res.body)
      assert.deepEqual(res.json(), { id: 'rt-1' })
      const st = await app.inject({ method: 'GET', url: '/v1/rollouts/rt-1?wait=20000' })
      assert.equal(st.statusCode, 200, st.body)
      const s = st.json()
      assert.equal(s.state, 'completed')
      assert.deepEqual(s.progress, { scored: 3, total: 3 })
      assert.equal(s.result.groups.length, 3)
      const g1 = s.result.groups[1]
      assert.deepEqual(g1.results.map((r: { reward: number }) => r.reward), [2, 1, 2, 1])
      assert.deepEqual(g1.metadata, { group: 1 })
      const direct = await app.inject({ method: 'POST', url: '/v1/score', payload: { groups: (body.groups as unknown[]) } })
      assert.deepEqual(s.result, direct.json(), 'the result is what /v1/score answers for the same groups')
    })

    test('idempotency: same id + same body answers the same id and creates nothing; another body → 409', async (t) => {
      const { app, prefix } = await queueApp(t, { url: target.url, name: 'idem' })
      const body = mathRollout('idem-1', 2)
      const first = await app.inject({ method: 'POST', url: '/v1/rollouts', payload: body })
      assert.equal(first.statusCode, 202)
      const again = await app.inject({ method: 'POST', url: '/v1/rollouts', payload: body })
      assert.equal(again.statusCode, 202)
      assert.deepEqual(again.json(), { id: 'idem-1' })
      const r = client(target.url)
      t.after(() => r.disconnect())
      const q = new KeySpace(prefix, 4).partitions[new KeySpace(prefix, 4).partitionOf('idem-1')]!
      assert.equal(await r.zcard(`${q}:rollouts:prioritized`) + await r.llen(`${q}:rollouts:wait`), 1, 'one job only')
      const other = await app.inject({ method: 'POST', url: '/v1/rollouts', payload: { ...body, groups: (body.groups as Array<Record<string, unknown>>).slice(0, 1) } })
      assert.equal(other.statusCode, 409)
      assert.equal(other.json().code, 'RWD_ERR_ROLLOUT_CONFLICT')
      const metrics = (await app.inject('/metrics')).body
      assert.match(metrics, /rwd_rollouts_submitted_total\{outcome="created"\} 1/)
      assert.match(metrics, /rwd_rollouts_submitted_total\{outcome="duplicate"\} 1/)
      assert.match(metrics, /rwd_rollouts_submitted_total\{outcome="conflict"\} 1/)
      assert.match(metrics, /rwd_queue_depth\{state="waiting"\} 1/)
    })

    test('over QUEUE_MAX_DEPTH: 429 with Retry-After, and nothing bound to the refused id', async (t) => {
      const { app } = await queueApp(t, { url: target.url, name: 'depth', env: { QUEUE_MAX_DEPTH: '2', QUEUE_RETRY_AFTER_S: '7' } })
      for (const id of ['d1', 'd2']) assert.equal((await app.inject({ method: 'POST', url: '/v1/rollouts', payload: mathRollout(id, 1) })).statusCode, 202)
      const full = await app.inject({ method: 'POST', url: '/v1/rollouts', payload: mathRollout('d3', 1) })
      assert.equal(full.statusCode, 429, full.body)
      assert.equal(full.headers['retry-after'], '7')
      assert.equal(full.json().code, 'RWD_ERR_QUEUE_FULL')
      assert.equal((await app.inject('/v1/rollouts/d3')).statusCode, 404, 'a refused rollout is not recorded')
      assert.equal((await app.inject({ method: 'POST', url: '/v1/rollouts', payload: mathRollout('d1', 1) })).statusCode, 202, 'a repeat of an accepted id is still fine')
    })

    test('bodies: gzip accepted; over ROLLOUT_BODY_LIMIT_BYTES → 413 naming it; bad input → 400; unknown id → 404', async (t) => {
      const { app } = await queueApp(t, { url: target.url, name: 'bodies', env: { ROLLOUT_BODY_LIMIT_BYTES: '200000', BODY_LIMIT_BYTES: '100000' } })
      const big = mathRollout('gz-1', 1, 1)
    ;(big.groups as Array<{ completions: string[] }>)[0]!.completions = [r1('0') + ' '.repeat(150_000)]
      const gz = await app.inject({ method: 'POST', url: '/v1/rollouts', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: gzipSync(JSON.stringify(big)) })
      assert.equal(gz.statusCode, 202, 'over BODY_LIMIT_BYTES but under the rollout limit: ' + gz.body)
      ;(big.groups as Array<{ completions: string[] }>)[0]!.completions = [r1('0') + ' '.repeat(250_000)]
      const tooBig = await app.inject({ method: 'POST', url: '/v1/rollouts', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: gzipSync(JSON.stringify({ ...big, id: 'gz-2' })) })
      assert.equal(tooBig.statusCode, 413)
      assert.match(tooBig.json().message, /ROLLOUT_BODY_LIMIT_BYTES \(200000 bytes/)
      const noId = await app.inject({ method: 'POST', url: '/v1/rollouts', payload: { groups: mathRollout('x', 1).groups } })
      assert.equal(noId.statusCode, 400)
      assert.equal(noId.json().field, '/id')
      const badRun = await app.inject({ method: 'POST', url: '/v1/rollouts', payload: mathRollout('x', 1, 2, { run: 'a b' }) })
      assert.equal(badRun.statusCode, 400)
      const badWait = await app.inject('/v1/rollouts/gz-1?wait=soon')
      assert.equal(badWait.statusCode, 400)
      const missing = await app.inject('/v1/rollouts/never-submitted')
      assert.equal(missing.statusCode, 404)
      assert.equal(missing.json().code, 'RWD_ERR_ROLLOUT_NOT_FOUND')
      const waiting = await app.inject('/v1/rollouts/gz-1')
      assert.equal(waiting.json().state, 'waiting', 'no worker in this app')
    })
  })
}
