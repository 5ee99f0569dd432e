import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build, r1 } from '../helper.ts'
import type { ScoreReply } from '../../src/scoring/schema.ts'

const example = {
  groups: [{
    id: 'q1',
    prompt: 'Solve 2x = 3.',
    reference: { type: 'math', answer: '\\frac{3}{2}' },
    completions: [
      r1('We divide both sides of the equation by two, so x is three halves.', '1.5'),
      r1('guess', '2'),
      'The answer is \\boxed{3/2}',
      r1('x is three halves', '\\frac{3}{2}')
    ]
  }],
  rewards: { format: { weight: 1, mode: 'strict' }, accuracy: { weight: 1 }, language: { weight: 0, target: 'en' } },
  advantages: { scale: 'group' }
}

test('POST /v1/score: rewards, components, advantages and stats as in the contract', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/v1/score', payload: example })
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json<ScoreReply>()
  const g = body.groups[0]
  assert.ok(g !== undefined)
  assert.equal(g.id, 'q1')
  assert.deepEqual(g.results.map(r => r.reward), [2, 1, 1, 2])
  assert.deepEqual(g.results.map(r => r.components.accuracy?.score), [1, 0, 1, 1])
  assert.deepEqual(g.results.map(r => r.components.format?.score), [1, 1, 0, 1])
  assert.equal(g.results[0]?.components.language?.status, 'ok')
  assert.equal(g.results[0]?.components.language?.score, 1)
  // rewards 2,1,1,2: mean 1.5, sample std sqrt(1/3)
  const std = Math.sqrt(1 / 3)
  assert.equal(g.stats.mean, 1.5)
  assert.ok(Math.abs((g.stats.std ?? 0) - std) < 1e-12)
  assert.equal(g.stats.count, 4)
  g.advantages.forEach((a, i) => assert.ok(Math.abs(a - ((g.results[i]?.reward ?? 0) - 1.5) / (std + 1e-4)) < 1e-9))
  assert.match(body.reward_version, /^rv-/)
  assert.match(body.config_hash, /^[0-9a-f]{16}$/)
})

test('defaults: format (strict) and accuracy at weight 1, nothing else; explicit defaults hash the same', async (t) => {
  const app = await build(t)
  const bare = { groups: [{ id: 'a', reference: { type: 'math', answer: '4' }, completions: [r1('2+2', '4')] }] }
  const res = await app.inject({ method: 'POST', url: '/v1/score', payload: bare })
  const body = res.json<ScoreReply>()
  assert.deepEqual(Object.keys(body.groups[0]?.results[0]?.components ?? {}), ['format', 'accuracy'])
  assert.equal(body.groups[0]?.results[0]?.reward, 2)
  const explicit = await app.inject({
    method: 'POST',
    url: '/v1/score',
    payload: { ...bare, rewards: { format: { weight: 1, mode: 'strict', template: 'r1' }, accuracy: { weight: 1 } }, advantages: { scale: 'group' } }
  })
  assert.equal(explicit.json<ScoreReply>().config_hash, body.config_hash)
  const other = await app.inject({ method: 'POST', url: '/v1/score', payload: { ...bare, rewards: { format: { mode: 'partial' } } } })
  assert.notEqual(other.json<ScoreReply>().config_hash, body.config_hash)
})

test('a gold that does not parse: reward null with the reason, never 0, left out of the stats', async (t) => {
  const app = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/v1/score',
    payload: {
      groups: [
        { id: 'bad', reference: { type: 'math', answer: '\\frac{' }, completions: [r1('a', '1'), r1('b', '2')] },
        { id: 'good', reference: { type: 'math', answer: '1' }, completions: [r1('a', '1'), r1('b', '2'), 'no tags'] }
      ]
    }
  })
  assert.equal(res.statusCode, 200, res.body)
  const [bad, good] = res.json<ScoreReply>().groups
  for (const r of bad?.results ?? []) {
    assert.equal(r.reward, null)
    assert.equal(r.status, 'unscorable')
    assert.match(r.reason ?? '', /accuracy is unscorable/)
    assert.equal(r.components.accuracy?.score, null)
  }
  assert.deepEqual(bad?.advantages, [0, 0])
  assert.deepEqual(bad?.stats, { mean: null, std: null, count: 0 })
  assert.deepEqual(good?.results.map(r => r.reward), [2, 1, 0])
})

test('reference none: no accuracy component; other components still score', async (t) => {
  const app = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/v1/score',
    payload: { groups: [{ id: 'n', reference: { type: 'none' }, completions: [r1('a', 'b'), 'x'] }], rewards: { reasoning_steps: {} } }
  })
  const g = res.json<ScoreReply>().groups[0]
  assert.deepEqual(Object.keys(g?.results[0]?.components ?? {}), ['format', 'reasoning_steps'])
  assert.deepEqual(g?.results.map(r => r.reward), [1, 0])
})

test('extras are off by default and on when named; metadata is echoed', async (t) => {
  const app = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/v1/score',
    payload: {
      groups: [{ id: 'e', reference: { type: 'math', answer: '2' }, completions: [r1('a', '2'), r1('b', '3')], length_tokens: [100, 900], metadata: { token_ids: [1, 2] } }],
      rewards: { cosine: { weight: 1 }, overlong: { max_length: 1000, buffer: 200 }, length: {}, repetition: { weight: 0 } }
    }
  })
  const g = res.json<ScoreReply>().groups[0]
  const c = g?.results.map(r => r.components)
  assert.deepEqual(Object.keys(c?.[0] ?? {}), ['format', 'accuracy', 'repetition', 'cosine', 'overlong', 'length'])
  assert.equal(c?.[1]?.overlong?.score, -0.5)
  assert.equal(c?.[0]?.length?.score, 0.5)
  assert.deepEqual(g?.metadata, { token_ids: [1, 2] })
})
