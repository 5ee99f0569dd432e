import { test } from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { build, r1 } from '../helper.ts'

const group = { id: 'g', reference: { type: 'math', answer: '1' }, completions: [r1('a', '1')] }

interface ErrorBody { statusCode: number, code: string, message: string, field?: string }

test('bad input gets a 4xx naming the problem', async (t) => {
  const app = await build(t, { BODY_LIMIT_BYTES: '65536', MAX_GROUPS_PER_REQUEST: '3', MAX_COMPLETIONS_PER_REQUEST: '5', MAX_COMPLETION_CHARS: '1000' })
  const post = async (payload: string | object | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number, body: ErrorBody }> => {
    const res = await app.inject({ method: 'POST', url: '/v1/score', payload: typeof payload === 'object' && !Buffer.isBuffer(payload) ? JSON.stringify(payload) : payload, headers })
    return { status: res.statusCode, body: res.json<ErrorBody>() }
  }
  const cases: Array<[string, string | object | Buffer, number, string, RegExp, string?]> = [
    ['malformed JSON', '{"groups": [', 400, 'RWD_ERR_REQUEST_BAD_JSON', /not valid JSON/],
    ['empty body', '', 400, 'RWD_ERR_REQUEST_BAD_JSON', /empty/],
    ['not an object', '[1,2]', 400, 'RWD_ERR_REQUEST_INVALID', /must be object/],
    ['missing groups', {}, 400, 'RWD_ERR_REQUEST_INVALID', /groups is required/, '/groups'],
    ['empty groups', { groups: [] }, 400, 'RWD_ERR_REQUEST_INVALID', /groups must NOT have fewer than 1 items/, '/groups'],
    ['empty completions', { groups: [{ ...group, completions: [] }] }, 400, 'RWD_ERR_REQUEST_INVALID', /completions/, '/groups/0/completions'],
    ['wrong type', { groups: [{ ...group, completions: [1] }] }, 400, 'RWD_ERR_REQUEST_INVALID', /must be string/, '/groups/0/completions/0'],
    ['missing reference', { groups: [{ id: 'g', completions: ['x'] }] }, 400, 'RWD_ERR_REQUEST_INVALID', /reference is required/, '/groups/0/reference'],
    ['unknown reference type', { groups: [{ ...group, reference: { type: 'magic' } }] }, 400, 'RWD_ERR_REQUEST_INVALID', /reference\/type has no known value "magic"/, '/groups/0/reference/type'],
    ['reference missing its answer', { groups: [{ ...group, reference: { type: 'math' } }] }, 400, 'RWD_ERR_REQUEST_INVALID', /reference\/answer is required/, '/groups/0/reference/answer'],
    ['typo in options', { groups: [group], rewards: { format: { mdoe: 'strict' } } }, 400, 'RWD_ERR_REQUEST_INVALID', /not a known field/, '/rewards/format/mdoe'],
    ['bad enum', { groups: [group], advantages: { scale: 'batchy' } }, 400, 'RWD_ERR_REQUEST_INVALID', /one of/, '/advantages/scale'],
    ['NUL in a completion', { groups: [{ ...group, completions: ['a\u0000b'] }] }, 400, 'RWD_ERR_REQUEST_BAD_STRING', /NUL/, '/groups/0/completions/0'],
    ['lone surrogate', '{"groups":[{"id":"g","reference":{"type":"math","answer":"1"},"completions":["\\ud800x"]}]}', 400, 'RWD_ERR_REQUEST_BAD_STRING', /lone surrogate/, '/groups/0/completions/0'],
    ['duplicate group ids', { groups: [group, group] }, 400, 'RWD_ERR_REQUEST_INVALID', /repeats/, '/groups/1/id'],
    ['length_tokens mismatch', { groups: [{ ...group, length_tokens: [1, 2] }] }, 400, 'RWD_ERR_REQUEST_INVALID', /length_tokens/, '/groups/0/length_tokens'],
    ['too many groups', { groups: [1, 2, 3, 4].map(i => ({ ...group, id: `g${i}` })) }, 413, 'RWD_ERR_REQUEST_TOO_LARGE', /MAX_GROUPS_PER_REQUEST \(3\)/],
    ['too many completions', { groups: [{ ...group, completions: Array(6).fill('x') }] }, 413, 'RWD_ERR_REQUEST_TOO_LARGE', /MAX_COMPLETIONS_PER_REQUEST \(5\)/],
    ['completion too long', { groups: [{ ...group, completions: ['x'.repeat(1001)] }] }, 413, 'RWD_ERR_REQUEST_TOO_LARGE', /MAX_COMPLETION_CHARS \(1000\)/],
    ['body too large', { groups: [{ ...group, completions: ['x'.repeat(70000)] }] }, 413, 'RWD_ERR_REQUEST_TOO_LARGE', /BODY_LIMIT_BYTES \(65536 bytes/]
  ]
  for (const [name, payload, status, code, message, field] of cases) {
    const { status: s, body } = await post(payload)
    assert.equal(s, status, `${name}: ${JSON.stringify(body)}`)
    assert.equal(body.code, code, name)
    assert.match(body.message, message, `${name}: ${body.message}`)
    if (field !== undefined) assert.equal(body.field, field, name)
  }
  // gzip: accepted, and the limit applies to the decoded size (a zip bomb is refused)
  const ok = await post(gzipSync(JSON.stringify({ groups: [group] })), { 'content-type': 'application/json', 'content-encoding': 'gzip' })
  assert.equal(ok.status, 200)
  const bomb = await post(gzipSync(JSON.stringify({ groups: [{ ...group, completions: ['x'.repeat(200000)] }] })), { 'content-type': 'application/json', 'content-encoding': 'gzip' })
  assert.equal(bomb.status, 413)
  const corrupt = await post(Buffer.from('not gzip at all'), { 'content-type': 'application/json', 'content-encoding': 'gzip' })
  assert.ok(corrupt.status === 400, JSON.stringify(corrupt))
  const brotli = await post('{}', { 'content-type': 'application/json', 'content-encoding': 'br' })
  assert.equal(brotli.status, 415, JSON.stringify(brotli))
  const text = await post('hello', { 'content-type': 'text/plain' })
  assert.equal(text.status, 415, JSON.stringify(text))
  // the process is still up and answering
  const health = await app.inject({ method: 'GET', url: '/healthz' })
  assert.equal(health.statusCode, 200)
})

test('unknown routes answer a coded 404', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/v2/nothing?x=1' })
  assert.equal(res.statusCode, 404)
  assert.equal(res.json<ErrorBody>().code, 'RWD_ERR_NOT_FOUND')
})

test('one result per completion, in order, for a batch of many groups', async (t) => {
  const app = await build(t)
  const groups = Array.from({ length: 20 }, (_, i) => ({
    id: `q${i}`,
    reference: { type: 'math', answer: String(i) },
    completions: Array.from({ length: 8 }, (_, j) => r1('t', String(i + (j % 2))))
  }))
  const res = await app.inject({ method: 'POST', url: '/v1/score', payload: { groups } })
  assert.equal(res.statusCode, 200)
  const body = res.json<{ groups: Array<{ id: string, results: Array<{ components: { accuracy: { score: number } } }> }> }>()
  assert.deepEqual(body.groups.map(g => g.id), groups.map(g => g.id))
  for (const g of body.groups) assert.deepEqual(g.results.map(r => r.components.accuracy.score), [1, 0, 1, 0, 1, 0, 1, 0])
})
