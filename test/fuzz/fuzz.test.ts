/**
 * Fuzz and abuse suite: the real app (real math workers, sandboxes and Redis), seeded and bounded.
 * Schema-driven bodies for every route of openapi/openapi.json (plus the dashboard API), then the attacks
 * of issue 13 one by one. Asserts: no 5xx, no request that hangs, bounded RSS growth, no cross-run access.
 * FUZZ_SEED (default 13) and FUZZ_PER_ROUTE (default 40) tune it; FUZZ_REPORT=path writes the counts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { deletePrefix } from '../integration/queue/helpers.ts'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config/load.ts'
import type { App } from '../../src/http/services.ts'
import { keysFile, bearer } from '../http/keys.ts'
import { Generator, nested, rng } from './generate.ts'
import { r1 } from '../helper.ts'

const SEED = Number(process.env.FUZZ_SEED ?? 13)
const PER_ROUTE = Number(process.env.FUZZ_PER_ROUTE ?? 40)
const HANG_MS = 60_000
const RSS_GROWTH_MB = 400

type Counts = Record<string, Record<string, number>>

async function within<T> (what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what} hung for ${HANG_MS} ms`)), HANG_MS) })
  try { return await Promise.race([p, hang]) } finally { clearTimeout(timer) }
}

test('fuzz and abuse: no 5xx, no hang, bounded memory, no cross-run access', async (t) => {
  const keys = keysFile(t, { fuzz: ['score', 'admin', 'metrics', 'rollouts:*', 'trainer:*'], a: ['rollouts:run-a', 'trainer:run-a', 'score'], b: ['rollouts:run-b', 'trainer:run-b'] })
  const prefix = `rwd-fuzz-${randomUUID().slice(0, 8)}`
  const app: App = await buildApp({
    config: loadConfig({ MATH_THREADS: '1', CODE_PYTHON_SLOTS: '1', CODE_JS_ISOLATES: '1', TEXT_THREADS: '0', API_KEYS_FILE: keys.path, QUEUE_PREFIX: prefix, REQUEST_TIMEOUT_MS: '1500', ADMIN_QUEUES: 'read-write' }),
    logger: false
  })
  t.after(async () => { await app.close(); await deletePrefix(prefix) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  const doc = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as {
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }, parameters?: Array<{ in: string, name: string }> }>>
    components?: { schemas?: Record<string, Record<string, unknown>> }
  }
  const r = rng(SEED)
  const gen = new Generator(doc, r)
  const counts: Counts = {}
  const fivexx: string[] = []
  const FUZZ = bearer(keys.key.fuzz)
  interface Req { method: string, url: string, headers?: Record<string, string>, payload?: unknown }
  const send = async (label: string, opts: Req): Promise<{ statusCode: number, body: string }> => {
    const res = await within(label, app.inject(opts as never) as unknown as Promise<{ statusCode: number, body: string }>)
    const byStatus = counts[label] ?? (counts[label] = {})
    byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1
    if (res.statusCode >= 500) fivexx.push(`${label} ${res.statusCode} ${res.body.slice(0, 200)}`)
    return res
  }

  const rssBefore = process.memoryUsage().rss
  await t.test('schema-driven bodies for every route', async () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const label = `${method.toUpperCase()} ${path}`
        const schema = op.requestBody?.content['application/json']?.schema
        for (let i = 0; i < PER_ROUTE; i++) {
          const hostile = i < PER_ROUTE / 4 ? 0 : 0.15
          const headers = i % 10 === 9 ? {} : FUZZ
          let url = path
          if (path.includes('{id}')) {
            const len = 1 + Math.floor(r() * 300)
            url = path.replace('{id}', encodeURIComponent('é'.repeat(len)))
            if (r() < 0.3) url += `?wait=${Math.floor(r() * 50)}`
          }
          if (schema === undefined) {
            await send(label, { method: method.toUpperCase(), url, headers })
            continue
          }
          const body = gen.value(schema, hostile)
          await send(label, { method: method.toUpperCase(), url, payload: JSON.stringify(body), headers: { ...headers, 'content-type': 'application/json' } })
        }
      }
    }
    for (const [method, url] of [['GET', '/admin/queues/api/queues'], ['GET', '/admin/queues'], ['PUT', '/admin/queues/api/queues/rollouts/pause'], ['PUT', '/admin/queues/api/queues/rollouts/resume']] as const) {
      await send(`${method} ${url}`, { method, url })
      await send(`${method} ${url}`, { method, url, headers: bearer(keys.key.a) })
      await send(`${method} ${url}`, { method, url, headers: FUZZ })
    }
  })

  await t.test('numbers: no input yields NaN, Infinity or a 500', async () => {
    const group = { id: 'g', reference: { type: 'math', answer: '2' }, completions: [r1('a', '2'), r1('b', '2')] }
    const post = async (payload: unknown, url = '/v1/score'): Promise<{ statusCode: number, body: string }> =>
      await send(`attack ${url}`, { method: 'POST', url, payload, headers: FUZZ })
    assert.equal((await post({ groups: [group], advantages: { eps: 0 } })).statusCode, 400)
    const tiny = await post({ groups: [group], advantages: { eps: 1e-300 } })
    assert.equal(tiny.statusCode, 200, tiny.body)
    assert.ok((JSON.parse(tiny.body) as { groups: Array<{ advantages: number[] }> }).groups[0]?.advantages.every(Number.isFinite))
    for (const rewards of [{ accuracy: { weight: 1e308 } }, { format: { weight: -1e308 } }, { cosine: { max_value_correct: 1e308 } }, { cosine: { max_len: 1e308 } }, { repetition: { max_penalty: -1e308 } }]) {
      assert.equal((await post({ groups: [group], rewards })).statusCode, 400, JSON.stringify(rewards))
    }
    const big = await post({ groups: [group], rewards: { accuracy: { weight: 1e6 }, cosine: { weight: 1e6, min_value_wrong: -1e6, max_value_correct: 1e6 } } })
    assert.equal(big.statusCode, 200, big.body)
    const raw = await send('attack /v1/score', { method: 'POST', url: '/v1/score', payload: `{"groups":[${JSON.stringify(group)}],"rewards":{"accuracy":{"weight":1e400}}}`, headers: { ...FUZZ, 'content-type': 'application/json' } })
    assert.equal(raw.statusCode, 400)
    const evalGroup = (reward: number): unknown => ({ id: 'e', results: [{ reward, status: 'ok', components: { accuracy: { score: 1, status: 'ok' } } }, { reward, status: 'ok', components: {} }] })
    assert.equal((await post({ groups: [evalGroup(1e308)] }, '/v1/eval')).statusCode, 400)
    assert.equal((await post({ groups: [evalGroup(-1e308)] }, '/v1/eval')).statusCode, 400)
    assert.equal((await post({ groups: [evalGroup(1e12)] }, '/v1/eval')).statusCode, 200)
  })

  await t.test('limits agree: deep metadata is a 400 naming it; every id POST accepts, GET reads', async () => {
    const group = { id: 'g', reference: { type: 'math', answer: '2' }, completions: [r1('a', '2')] }
    // 4,500 levels: built as text (JSON.stringify of it would overflow this test's own stack)
    const deep = `${'{"a":'.repeat(4500)}1${'}'.repeat(4500)}`
    for (const url of ['/v1/score', '/v1/rollouts']) {
      const payload = `{"id":"deep-${randomUUID()}","groups":[${JSON.stringify(group).slice(0, -1)},"metadata":${deep}}]}`
      const res = await send(`attack ${url}`, { method: 'POST', url, payload, headers: { ...FUZZ, 'content-type': 'application/json' } })
      assert.equal(res.statusCode, 400, res.body)
      assert.match(res.body, /deeper/)
    }
    for (const len of [101, 200, 256]) {
      const id = `${'i'.repeat(len - 36)}${randomUUID()}`
      const posted = await send('attack /v1/rollouts', { method: 'POST', url: '/v1/rollouts', payload: { id, groups: [{ ...group, metadata: nested(8) as object }] }, headers: FUZZ })
      assert.equal(posted.statusCode, 202, posted.body)
      const got = await send('attack GET /v1/rollouts/{id}', { method: 'GET', url: `/v1/rollouts/${encodeURIComponent(id)}`, headers: FUZZ })
      assert.equal(got.statusCode, 200, `${len}: ${got.body}`)
    }
  })

  await t.test('no cross-run access with keys of other runs', async () => {
    for (let i = 0; i < 20; i++) {
      const run = `run-${Math.floor(r() * 1e6)}`
      const lease = await send('attack cross-run', { method: 'POST', url: '/v1/trainer/lease', payload: { run, max_groups: 1, lease_ms: 1000 }, headers: bearer(keys.key.b) })
      assert.equal(lease.statusCode, 403)
      const post = await send('attack cross-run', { method: 'POST', url: '/v1/rollouts', payload: { id: randomUUID(), run, groups: [{ id: 'g', reference: { type: 'none' }, completions: ['x'] }] }, headers: bearer(keys.key.a) })
      assert.equal(post.statusCode, 403)
      const ack = await send('attack cross-run', { method: 'POST', url: '/v1/trainer/ack', payload: { lease: `${run}.${randomUUID()}` }, headers: bearer(keys.key.b) })
      assert.equal(ack.statusCode, 403)
    }
  })

  await t.test('a body held open is cut at REQUEST_TIMEOUT_MS', async () => {
    const t0 = performance.now()
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`POST /v1/verify/math HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${keys.key.fuzz}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"gold":`)
      })
      let data = ''
      socket.on('data', d => { data += d.toString() })
      socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''))
      socket.on('error', () => {})
      setTimeout(() => { socket.destroy(); resolve('still open') }, 10_000).unref()
    })
    const ms = performance.now() - t0
    assert.notEqual(outcome, 'still open')
    assert.ok(ms < 8000, `cut after ${ms} ms`)
    if (outcome !== '') assert.match(outcome, /408/)
  })

  const rssGrowthMb = (process.memoryUsage().rss - rssBefore) / (1 << 20)
  const report = { seed: SEED, per_route: PER_ROUTE, rss_growth_mb: Math.round(rssGrowthMb), routes: counts }
  t.diagnostic(JSON.stringify(report))
  if (process.env.FUZZ_REPORT !== undefined) writeFileSync(process.env.FUZZ_REPORT, JSON.stringify(report, null, 2))
  assert.deepEqual(fivexx, [], 'no 5xx')
  assert.ok(rssGrowthMb < RSS_GROWTH_MB, `RSS grew ${rssGrowthMb} MB`)
  // the service still answers
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200)
})
