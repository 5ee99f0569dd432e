import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { createMathVerifier } from '../../../src/rewards/math/index.ts'

const DEADLINE = 1000
const verifier = createMathVerifier({ threads: 2, deadlineMs: DEADLINE })
before(async () => { await verifier.ready() })
after(async () => { await verifier.close() })

test('checks run in worker threads and keep input order in checkMany', async () => {
  const rs = await verifier.checkMany([
    { gold: '\\frac{1}{2}', prediction: '<think>hmm</think><answer>0.5</answer>', extract: true },
    { gold: '3', prediction: 'so \\boxed{4}', extract: true },
    { gold: '\\frac{1}{', prediction: '1', extract: false }
  ])
  assert.deepEqual(rs.map(r => [r.status, r.equivalent]), [['ok', true], ['ok', false], ['unscorable', null]])
})

test('hostile predictions answer too_large (0) or timeout within deadline + 100 ms while others proceed', async () => {
  const hostile = ['9^{9^{9}}', '\\sum_{n=1}^{10^9} n', '10!!!!!!', '{'.repeat(10_000) + '1' + '}'.repeat(10_000), '7'.repeat(1 << 20),
    '\\sum_{a=1}^{10000} \\frac{1}{a}']
  const t0 = performance.now()
  const pending = hostile.map(async h => {
    const r = await verifier.check({ gold: '1', prediction: `\\boxed{${h}}`, extract: true })
    return { r, ms: performance.now() - t0 }
  })
  const normal = await verifier.check({ gold: '2', prediction: '\\boxed{2}', extract: true })
  assert.equal(normal.equivalent, true)
  for (const { r, ms } of await Promise.all(pending)) {
    assert.ok((r.status === 'ok' && r.equivalent === false && r.rule === 'too_large') || r.status === 'timeout', `${r.status} ${String(r.reason)}`)
    assert.ok(ms < DEADLINE + 100, `took ${ms} ms`)
  }
})

test('a check past its deadline is stopped, answers timeout, and the pool keeps working', async () => {
  const fast = createMathVerifier({ threads: 1, deadlineMs: 15 })
  try {
    await fast.ready()
    const slow = '\\sum_{a=1}^{140}\\sum_{b=1}^{140} ab' // about 80 ms of exact arithmetic, under the caps
    const t0 = performance.now()
    const r = await fast.check({ gold: '1', prediction: slow, extract: false })
    assert.equal(r.status, 'timeout')
    assert.equal(r.equivalent, null)
    assert.ok(performance.now() - t0 < 15 + 100)
    const next = await fast.check({ gold: '1', prediction: '1', extract: false }) // waits for the replacement worker
    assert.equal(next.equivalent, true)
  } finally {
    await fast.close()
  }
})

test('an aborted check rejects with the signal reason', async () => {
  const ac = new AbortController()
  const p = verifier.check({ gold: '1', prediction: '1', extract: false }, { signal: ac.signal })
  ac.abort(new Error('client went away'))
  await assert.rejects(p, /client went away/)
  const r = await verifier.check({ gold: '1', prediction: '1', extract: false })
  assert.equal(r.equivalent, true)
})
