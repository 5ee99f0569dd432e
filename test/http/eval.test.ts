import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { build } from '../helper.ts'
import type { App } from '../../src/http/services.ts'
import type { EvalReply } from '../../src/eval/schema.ts'

const fixture = readFileSync(new URL('../fixtures/cli/good.jsonl', import.meta.url), 'utf8').trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)

/** The fixture scored through /v1/score, joined with its inputs the way `reward-verifier score` writes lines. */
async function scored (app: App): Promise<Array<Record<string, unknown>>> {
  const res = await app.inject({ method: 'POST', url: '/v1/score', payload: { groups: fixture } })
  assert.equal(res.statusCode, 200, res.body)
  const groups = res.json<{ groups: Array<Record<string, unknown>> }>().groups
  return fixture.map((g, i) => ({ ...g, ...groups[i] }))
}

const close = (a: number | null | undefined, b: number): void => assert.ok(typeof a === 'number' && Math.abs(a - b) < 1e-9, `${String(a)} vs ${b}`)

test('POST /v1/eval: pass@k and maj@k of the fixture match hand-computed values', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/v1/eval', payload: { groups: await scored(app), k: [1, 2, 5] } })
  assert.equal(res.statusCode, 200, res.body)
  const r = res.json<EvalReply>()
  // correct of 5: q1 4 (0.5, \frac{1}{2}, 1/2 and the untagged 1/2), q2 2, q3 3 (x = 2, 2, 2.0), q4 1, q5 5; q6 has no reference
  assert.deepEqual(r.problems.map(p => [p.id, p.correct, p.judged]), [['q1', 4, 5], ['q2', 2, 5], ['q3', 3, 5], ['q4', 1, 5], ['q5', 5, 5], ['q6', 0, 0]])
  assert.equal(r.overall.judged_problems, 5)
  close(r.overall.pass_at_1, (0.8 + 0.4 + 0.6 + 0.2 + 1) / 5)
  // pass@2 = mean of 1 − C(n−c,2)/C(5,2): q1 1, q2 1 − 3/10, q3 1 − 1/10, q4 1 − 6/10, q5 1
  close(r.overall.pass_at_k[1]?.value, (1 + 0.7 + 0.9 + 0.4 + 1) / 5)
  close(r.overall.pass_at_k[2]?.value, 1)
  // maj@5: q1 right (equivalent forms merged), q2 wrong (41 ×3), q3 right (x = 2 ≡ 2 ≡ 2.0), q4 wrong (3 ×3), q5 right
  close(r.overall.maj_at_k[2]?.value, 3 / 5)
  const q3 = r.problems.find(p => p.id === 'q3')
  assert.equal(q3?.clusters, 3)
  // q3 maj@2 over the 10 pairs of A A B A C (A right): 3 A-A pairs → 1, 6 A-B/A-C ties → ½, B-C tie → 0
  close(q3?.maj_at_k['2'], (3 + 3) / 10)
  assert.equal(r.problems.find(p => p.id === 'q1')?.clusters, 2)
  assert.deepEqual(r.categories.map(c => [c.category, c.problems]), [['algebra', 1], ['arithmetic', 3], ['chat', 1], ['geometry', 1]])
  close(r.categories.find(c => c.category === 'arithmetic')?.accuracy, (0.8 + 0.4 + 1) / 3)
  assert.equal(r.reward_histogram.bins.reduce((n, b) => n + b.count, 0), 27)
  assert.equal(r.reward_histogram.null_count, 0)
  close(r.overall.format_rate, 25 / 27) // the two untagged completions
})

test('POST /v1/eval: default k values follow the largest group', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/v1/eval', payload: { groups: await scored(app) } })
  assert.equal(res.statusCode, 200, res.body)
  assert.deepEqual(res.json<EvalReply>().k, [1, 2, 4, 5])
})

test('POST /v1/eval: bad bodies get 400 naming the field', async (t) => {
  const app = await build(t)
  const groups = await scored(app)
  const noResults = await app.inject({ method: 'POST', url: '/v1/eval', payload: { groups: [{ id: 'a' }] } })
  assert.equal(noResults.statusCode, 400)
  assert.match(noResults.json<{ message: string }>().message, /results/)
  const dup = await app.inject({ method: 'POST', url: '/v1/eval', payload: { groups: [groups[0], groups[0]] } })
  assert.equal(dup.statusCode, 400)
  assert.equal(dup.json<{ field: string }>().field, '/groups/1/id')
  const mismatch = await app.inject({ method: 'POST', url: '/v1/eval', payload: { groups: [{ ...groups[0], completions: ['x'] }] } })
  assert.equal(mismatch.statusCode, 400)
  assert.equal(mismatch.json<{ field: string }>().field, '/groups/0/completions')
  const badK = await app.inject({ method: 'POST', url: '/v1/eval', payload: { groups, k: [0] } })
  assert.equal(badK.statusCode, 400)
  assert.equal(badK.json<{ code: string }>().code, 'RWD_ERR_REQUEST_INVALID')
})
