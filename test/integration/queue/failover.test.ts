/**
 * The failover drill on a Redis Cluster of the test's own (drill.ts): masters SIGKILLed at random points
 * while rollouts are queued, leased and acked. Nothing accepted is lost, nothing acked comes back, nothing
 * is delivered twice within one lease.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { failoverDrill } from './drill.ts'

test('failover drill: 3 masters SIGKILLed at random points; 0 accepted groups lost, 0 acked groups redelivered, 0 delivered twice per lease', async (t) => {
  const r = await failoverDrill({ kills: 3, rollouts: 60, groups: 4, seed: Number(process.env.DRILL_SEED ?? Date.now() % 100_000), log: line => t.diagnostic(line) })
  t.diagnostic(JSON.stringify(r))
  assert.equal(r.kills.length, 3)
  assert.ok(r.accepted >= 60)
  assert.equal(r.lost, 0, 'accepted groups lost')
  assert.equal(r.ackedAgain, 0, 'acked groups delivered again')
  assert.equal(r.unexplained, 0, 'groups delivered again within a live lease')
})
