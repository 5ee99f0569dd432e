import { test } from 'node:test'
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { Gate, type GateOptions } from '../../../src/admission/gate.ts'
import { onAbort } from '../../../src/admission/cancel.ts'

const opts = (o: Partial<GateOptions> = {}): GateOptions => ({
  name: 'math', capacity: 2, maxQueued: 1000, maxWaitMs: 10_000, priorMs: 5, settings: { queue: 'Q', wait: 'W' }, ...o
})

function deferred (): { promise: Promise<void>, resolve: () => void } {
  let resolve = (): void => {}
  const promise = new Promise<void>(_resolve => { resolve = _resolve })
  return { promise, resolve }
}

const spin = (ms: number): void => { const end = performance.now() + ms; while (performance.now() < end) { /* busy */ } }

test('no more than capacity run at once; slots go round-robin across tenants', async () => {
  const gate = new Gate(opts({ capacity: 1 }))
  const order: string[] = []
  let running = 0
  let peak = 0
  const job = (name: string) => async () => {
    running++; peak = Math.max(peak, running)
    await new Promise(resolve => setImmediate(resolve))
    spin(1)
    order.push(name); running--
  }
  const all: Array<Promise<void>> = []
  for (let i = 0; i < 20; i++) all.push(gate.run('a', undefined, job(`a${i}`)))
  for (let i = 0; i < 3; i++) all.push(gate.run('b', undefined, job(`b${i}`)))
  await Promise.all(all)
  assert.equal(peak, 1)
  // b queued behind 20 of a's 1 ms jobs, yet its three finish within a's first quantum or two, not after all of them
  const lastB = order.indexOf('b2')
  assert.ok(lastB < 14, `b's last job ran at position ${lastB}: ${order.join(' ')}`)
})

test("slots are shared in time, not in jobs: a tenant of slow jobs gets no more of the pool's time than one of fast jobs", async () => {
  const gate = new Gate(opts({ capacity: 1, priorMs: 5 }))
  const busy: Record<string, number> = { slow: 0, fast: 0 }
  let contended = true
  const job = (name: string, ms: number) => async () => {
    await new Promise(resolve => setImmediate(resolve))
    const t0 = performance.now()
    spin(ms)
    if (contended) busy[name] = (busy[name] ?? 0) + performance.now() - t0
  }
  const slow: Array<Promise<void>> = []
  const fast: Array<Promise<void>> = []
  for (let i = 0; i < 100; i++) slow.push(gate.run('slow', undefined, job('slow', 2)))
  for (let i = 0; i < 1000; i++) fast.push(gate.run('fast', undefined, job('fast', 0.1)))
  await Promise.race([Promise.all(slow), Promise.all(fast)])
  contended = false
  await Promise.all([...slow, ...fast])
  const ratio = (busy.slow ?? 0) / (busy.fast ?? 1)
  // counted in jobs (plain round-robin) the slow tenant would take 20 times the fast one's time
  assert.ok(ratio > 0.4 && ratio < 2.5, `pool time slow/fast while both waited: ${ratio.toFixed(2)} (${JSON.stringify(busy)})`)
})

test("a tenant's slow jobs cannot take every slot while another tenant waits", async () => {
  const gate = new Gate(opts({ capacity: 4 }))
  const slow = deferred()
  let slowRunning = 0
  let slowPeak = 0
  const slowJobs: Array<Promise<void>> = []
  for (let i = 0; i < 20; i++) {
    slowJobs.push(gate.run('slow', undefined, async () => { slowRunning++; slowPeak = Math.max(slowPeak, slowRunning); await slow.promise; slowRunning-- }))
  }
  // the slow tenant alone takes every slot (work-conserving) ...
  assert.equal(gate.inFlight, 4)
  // ... but once another tenant has work, freed slots go to it, and the slow tenant keeps at most its share
  const fast: Array<Promise<number>> = []
  for (let i = 0; i < 50; i++) fast.push(gate.run('fast', undefined, async () => { await new Promise(resolve => setImmediate(resolve)); return slowRunning }))
  slow.resolve()
  const seen = await Promise.all(fast)
  await Promise.all(slowJobs)
  assert.ok(seen.slice(10).every(n => n <= 4), `slow tenant held ${Math.max(...seen)} slots`)
})

test('admit: a lone request always passes; a backlog over the wait bound gets 429 with Retry-After', async () => {
  const gate = new Gate(opts({ capacity: 1, maxWaitMs: 1000, priorMs: 400 }))
  const first = gate.admit('t', 2) // nothing in flight: admitted even though 2 x 400 ms is close to the bound
  assert.throws(() => gate.admit('t', 2), (err: Error & { code?: string, statusCode?: number, retryAfter?: number }) => {
    assert.equal(err.code, 'RWD_ERR_BUSY')
    assert.equal(err.statusCode, 429)
    assert.ok((err.retryAfter ?? 0) >= 1)
    assert.match(err.message, /ADMISSION|W \(1000 ms\)/)
    return true
  })
  // another tenant is not refused for t's backlog
  const other = gate.admit('u', 1)
  other()
  first()
  gate.admit('t', 2)() // the backlog is gone: admitted again
  assert.throws(() => { const a = gate.admit('q', 1); try { gate.admit('q', 5000) } finally { a() } }, /exceed Q/)
})

test('a job aborted while waiting is dropped and never runs (one abort listener however many wait); the others go on', async () => {
  const gate = new Gate(opts({ capacity: 1 }))
  const hold = deferred()
  const head = gate.run('a', undefined, async () => { await hold.promise })
  const ac = new AbortController()
  let ran = 0
  const waiting: Array<Promise<unknown>> = []
  for (let i = 0; i < 50_000; i++) waiting.push(gate.run('a', ac.signal, async () => { ran++ }).catch(e => e))
  const kept = gate.run('b', undefined, async () => 'kept')
  assert.equal(getEventListeners(ac.signal, 'abort').length, 1, 'one listener on the signal, however many waiters')
  ac.abort(new Error('client left'))
  const results = await Promise.all(waiting)
  assert.ok(results.every(r => r instanceof Error && r.message === 'client left'))
  hold.resolve()
  await head
  assert.equal(await kept, 'kept')
  assert.equal(ran, 0)
  assert.equal(gate.waiting, 0)
})

test('onAbort: one listener per signal; unsubscribe is O(1) and a late subscriber is not called twice', () => {
  const ac = new AbortController()
  const calls: number[] = []
  const offs = Array.from({ length: 1000 }, (_, i) => onAbort(ac.signal, () => { calls.push(i) }))
  assert.equal(getEventListeners(ac.signal, 'abort').length, 1)
  for (let i = 0; i < 1000; i += 2) offs[i]?.()
  ac.abort()
  assert.equal(calls.length, 500)
  assert.ok(calls.every(i => i % 2 === 1))
})

test("one job stalled (a busy CPU) does not swing a tenant's cost estimate into a 429 for its ordinary backlog", async () => {
  const gate = new Gate(opts({ capacity: 1, maxWaitMs: 1000, priorMs: 5 }))
  for (let i = 0; i < 200; i++) await gate.run('t', undefined, async () => {})
  await gate.run('t', undefined, async () => { await new Promise(resolve => setTimeout(resolve, 300)) })
  const held = gate.admit('t', 128) // four requests of 128 checks in flight, as the ordinary tenant of the bench
  try {
    for (let i = 0; i < 3; i++) gate.admit('t', 128)
  } finally {
    held()
  }
})

test('a tenant that had the pool to itself owes nothing when another tenant arrives', async () => {
  const gate = new Gate(opts({ capacity: 1, priorMs: 5 }))
  const hold = deferred()
  const head = gate.run('a', undefined, async () => { await hold.promise })
  const alone: Array<Promise<void>> = []
  for (let i = 0; i < 300; i++) alone.push(gate.run('a', undefined, async () => { spin(0.2) }))
  hold.resolve()
  await head
  await Promise.all(alone) // 300 jobs through dispatch with no one else waiting
  const order: string[] = []
  const again = deferred()
  const block = gate.run('c', undefined, async () => { await again.promise })
  const b: Array<Promise<void>> = []
  for (let i = 0; i < 50; i++) b.push(gate.run('b', undefined, async () => { spin(1); order.push('b') }))
  const a: Array<Promise<void>> = []
  for (let i = 0; i < 5; i++) a.push(gate.run('a', undefined, async () => { spin(0.2); order.push('a') }))
  again.resolve()
  await Promise.all([block, ...a, ...b])
  const lastA = order.lastIndexOf('a')
  assert.ok(lastA < 20, `a's jobs waited behind ${order.slice(0, lastA).filter(x => x === 'b').length} of b's: ${order.join('')}`)
})
