import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.ts'
import { labelReference, getRewardOptions } from '../../src/http/routes/get-reward.ts'
import { loadConfig } from '../../src/config/load.ts'
import type { GetRewardReply } from '../../src/http/routes/get-reward.ts'
import { keysFile, bearer, basic } from './keys.ts'

const prompt = '<|user|>What is 457+386?<|assistant|>'
const good = '<think>7+6=13, 5+8+1=14, 4+3+1=8</think><answer>843</answer>'

test('POST /get_reward: prompt stripped, math label, rewards/scores/extra_logs per sample', async (t) => {
  const app = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/get_reward',
    payload: {
      query: [prompt + good, prompt + '<think>x</think><answer>842</answer>', prompt + 'just 843', 'other prompt' + good],
      prompts: [prompt, prompt, prompt, prompt],
      labels: ['843', '843', '843', '843']
    }
  })
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json<GetRewardReply>()
  // 'just 843' has no <answer> and no \boxed{}: nothing extracted; the last query does not start with its prompt:
  // scored whole, so the format fails (text outside the tags) while the answer is still right
  assert.deepEqual(body.rewards, [2, 1, 0, 1])
  assert.deepEqual(body.scores, [1, 0, 0, 1])
  assert.deepEqual(body.extra_logs.format, [1, 1, 0, 0])
  assert.deepEqual(body.extra_logs.accuracy, [1, 0, 0, 1])
  assert.deepEqual(body.extra_logs.unscorable, [0, 0, 0, 0])
  assert.deepEqual(body.extra_logs.prompt_mismatch, [0, 0, 0, 1])
})

test('POST /get_reward: an unscorable gold never yields null: the fallback, flagged in extra_logs', async (t) => {
  const app = await build(t, { GET_REWARD_FALLBACK: '-0.5' })
  const res = await app.inject({
    method: 'POST',
    url: '/get_reward',
    payload: { query: [good, good], labels: ['\\frac{', '843'] }
  })
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json<GetRewardReply>()
  assert.equal(body.rewards[0], -0.5)
  assert.equal(body.scores[0], -0.5)
  assert.deepEqual(body.extra_logs.unscorable, [1, 0])
  assert.equal(body.rewards[1], 2)
  assert.ok(body.rewards.every(r => typeof r === 'number'))
})

test('POST /get_reward: JSON labels name other references; no label scores format only', async (t) => {
  const app = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/get_reward',
    payload: {
      query: [good, good, good, '<think>a</think><answer>{1, 2}</answer>'],
      labels: ['{"type": "math", "answer": "843"}', '{"type": "none"}', null, '{1,2}']
    }
  })
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json<GetRewardReply>()
  assert.deepEqual(body.rewards, [2, 1, 1, 2])
  assert.deepEqual(body.extra_logs.accuracy, [1, 0, 0, 1])
  const bad = await app.inject({ method: 'POST', url: '/get_reward', payload: { query: [good], labels: ['{"type": "chess"}'] } })
  assert.equal(bad.statusCode, 400)
  assert.equal(bad.json<{ code: string, field: string }>().code, 'RWD_ERR_REQUEST_INVALID')
  assert.equal(bad.json<{ field: string }>().field, '/labels/0')
})

test('labelReference: math by default, JSON objects with a type, sets and intervals stay math', () => {
  assert.deepEqual(labelReference('42', 0), { type: 'math', answer: '42' })
  assert.deepEqual(labelReference('{1, 2}', 0), { type: 'math', answer: '{1, 2}' })
  assert.deepEqual(labelReference('[0, 1)', 0), { type: 'math', answer: '[0, 1)' })
  assert.deepEqual(labelReference('  ', 0), { type: 'none' })
  assert.deepEqual(labelReference(null, 0), { type: 'none' })
  assert.deepEqual(labelReference('{"type":"math","answer":"x=2"}', 0), { type: 'math', answer: 'x=2' })
  assert.throws(() => labelReference('{"type":"math"}', 3), /labels\/3/)
})

test('POST /get_reward: API key (bearer or URL userinfo), batch limit, length checks', async (t) => {
  const keys = keysFile(t, { openrlhf: ['score'], trainer: ['trainer:*'] })
  const app = await build(t, { API_KEYS_FILE: keys.path, GET_REWARD_MAX_BATCH: '2' })
  const payload = { query: [good], labels: ['843'] }
  const none = await app.inject({ method: 'POST', url: '/get_reward', payload })
  assert.equal(none.statusCode, 401)
  assert.equal(none.json<{ code: string }>().code, 'RWD_ERR_UNAUTHORIZED')
  const wrong = await app.inject({ method: 'POST', url: '/get_reward', payload, headers: { authorization: 'Bearer nope' } })
  assert.equal(wrong.statusCode, 401)
  const other = await app.inject({ method: 'POST', url: '/get_reward', payload, headers: bearer(keys.key.trainer) })
  assert.equal(other.statusCode, 403)
  assert.equal(other.json<{ code: string }>().code, 'RWD_ERR_FORBIDDEN')
  const userinfo = await app.inject({ method: 'POST', url: '/get_reward', payload, headers: basic(keys.key.openrlhf) })
  assert.equal(userinfo.statusCode, 200, userinfo.body)
  const auth = bearer(keys.key.openrlhf)
  const ok = await app.inject({ method: 'POST', url: '/get_reward', payload, headers: auth })
  assert.equal(ok.statusCode, 200, ok.body)
  const big = await app.inject({ method: 'POST', url: '/get_reward', payload: { query: [good, good, good] }, headers: auth })
  assert.equal(big.statusCode, 413)
  assert.equal(big.json<{ code: string }>().code, 'RWD_ERR_REQUEST_TOO_LARGE')
  const uneven = await app.inject({ method: 'POST', url: '/get_reward', payload: { query: [good, good], labels: ['1'] }, headers: auth })
  assert.equal(uneven.statusCode, 400)
  assert.equal(uneven.json<{ field: string }>().field, '/labels')
})

test('GET_REWARD_REWARDS configures the components; a bad value fails at start-up', async (t) => {
  const app = await build(t, { GET_REWARD_REWARDS: '{"format":{"weight":0.5},"accuracy":{"weight":2}}' })
  const res = await app.inject({ method: 'POST', url: '/get_reward', payload: { query: [good], labels: ['843'] } })
  assert.equal(res.statusCode, 200, res.body)
  assert.deepEqual(res.json<GetRewardReply>().rewards, [2.5])
  assert.throws(() => getRewardOptions(loadConfig({ GET_REWARD_REWARDS: '{"formatt":{}}' })), /GET_REWARD_REWARDS/)
  assert.throws(() => getRewardOptions(loadConfig({ GET_REWARD_REWARDS: '{format' })), /GET_REWARD_REWARDS.*not JSON/)
  assert.equal(getRewardOptions(loadConfig({})), undefined)
})

/** Every number token in a JSON text (outside strings): each must carry a fraction or an exponent. */
function integerTokens (text: string): string[] {
  const outside = text.replace(/"(?:[^"\\]|\\.)*"/g, '""')
  return (outside.match(/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g) ?? []).filter(n => !/[.eE]/.test(n))
}

test('POST /get_reward: every reward, score and extra_logs value is a float in the JSON text (2.0, not 2)', async (t) => {
  const app = await build(t, { GET_REWARD_FALLBACK: '-1' })
  const res = await app.inject({
    method: 'POST',
    url: '/get_reward',
    payload: { query: [prompt + good, prompt + 'no tags', prompt + good], prompts: [prompt, prompt, 'elsewhere'], labels: ['843', '843', '\\frac{'] }
  })
  assert.equal(res.statusCode, 200, res.body)
  assert.match(res.headers['content-type'] as string, /^application\/json/)
  assert.deepEqual(integerTokens(res.body), [], res.body)
  assert.match(res.body, /"rewards":\[2\.0,0\.0,-1\.0\]/)
  assert.match(res.body, /"prompt_mismatch":\[0\.0,0\.0,1\.0\]/)
  assert.match(res.body, /"unscorable":\[0\.0,0\.0,1\.0\]/)
  assert.doesNotMatch(res.body, /NaN|Infinity|null/)
})

test('POST /get_reward: labels of any JSON type (numbers, strings, objects, null, booleans, arrays)', async (t) => {
  const app = await build(t)
  const r = (a: string): string => `<think>w</think><answer>${a}</answer>`
  const res = await app.inject({
    method: 'POST',
    url: '/get_reward',
    payload: {
      query: [r('72'), r('0.5'), r('843'), r('843'), r('843'), r('1'), r('3')],
      labels: [72, 0.5, { type: 'math', answer: '843' }, '843', null, true, [3]]
    }
  })
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json<GetRewardReply>()
  assert.deepEqual(body.extra_logs.accuracy?.slice(0, 5), [1, 1, 1, 1, 0])
  assert.equal(body.rewards.length, 7)
  assert.ok(body.rewards.every(x => Number.isFinite(x)))
  const bad = await app.inject({ method: 'POST', url: '/get_reward', payload: { query: [good], labels: [{ type: 'code' }] } })
  assert.equal(bad.statusCode, 400)
  assert.equal(bad.json<{ field: string }>().field, '/labels/0')
  const huge = await app.inject({ method: 'POST', url: '/get_reward', headers: { 'content-type': 'application/json' }, payload: '{"query":["x","y"],"labels":[1,1e400]}' })
  assert.equal(huge.statusCode, 400)
  assert.equal(huge.json<{ field: string }>().field, '/labels/1')
  const deep = await app.inject({ method: 'POST', url: '/get_reward', payload: { query: [good], labels: [JSON.parse('['.repeat(500) + ']'.repeat(500)) as unknown] } })
  // A label nested past the body's depth limit is bad input: 400 naming where, before anything recurses over it.
  assert.equal(deep.statusCode, 400, deep.body)
  assert.match(deep.json<{ field: string }>().field, /^\/labels\/0\//)
})

test('POST /get_reward: the same extra_logs keys in every reply, whatever the label (OpenRLHF HEAD posts one sample each)', async (t) => {
  const app = await build(t, { GET_REWARD_REWARDS: '{"reasoning_steps":{"weight":0}}' })
  const keys: string[][] = []
  for (const labels of [['843'], [''], [null], ['\\frac{'], [{ type: 'none' }], undefined]) {
    const res = await app.inject({ method: 'POST', url: '/get_reward', payload: labels === undefined ? { query: [good] } : { query: [good], labels } })
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json<GetRewardReply>()
    keys.push(Object.keys(body.extra_logs))
    for (const values of Object.values(body.extra_logs)) assert.equal(values.length, 1)
  }
  assert.deepEqual(keys[0], ['format', 'accuracy', 'reasoning_steps', 'unscorable', 'prompt_mismatch'])
  for (const k of keys) assert.deepEqual(k, keys[0])
})

test('POST /get_reward: trailing end tokens are stripped (OpenRLHF decodes with skip_special_tokens=False)', async (t) => {
  const app = await build(t)
  const ends = ['<|im_end|>', '<|endoftext|>', '<|eot_id|>', '<|end_of_text|>', '</s>', '<｜end▁of▁sentence｜>', '<|im_end|>\n<|endoftext|><|endoftext|>\n']
  const query = [...ends.map(e => prompt + good + e), prompt + '<think>a</think><|im_end|><answer>843</answer>']
  const res = await app.inject({ method: 'POST', url: '/get_reward', payload: { query, prompts: query.map(() => prompt), labels: query.map(() => '843') } })
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json<GetRewardReply>()
  assert.deepEqual(body.extra_logs.format, [...ends.map(() => 1), 0]) // a token inside the text is the policy's text
  assert.deepEqual(body.rewards, [...ends.map(() => 2), 1])

  const off = await build(t, { GET_REWARD_REWARDS: '{"format":{"strip_tokens":[]}}' })
  const kept = await off.inject({ method: 'POST', url: '/get_reward', payload: { query: [good + '<|im_end|>'], labels: ['843'] } })
  assert.deepEqual(kept.json<GetRewardReply>().extra_logs.format, [0])
  const custom = await build(t, { GET_REWARD_REWARDS: '{"format":{"strip_tokens":["[EOS]"]}}' })
  const mine = await custom.inject({ method: 'POST', url: '/get_reward', payload: { query: [good + '[EOS]', good + '</s>'] } })
  assert.deepEqual(mine.json<GetRewardReply>().extra_logs.format, [1, 0])
})

test('POST /v1/score strips trailing end tokens too (one place: the scorer), and takes strip_tokens per request', async (t) => {
  const app = await build(t)
  const groups = [{ id: 'g', reference: { type: 'math', answer: '843' }, completions: [good + '<|im_end|>', good + '</s>\n</s>', good] }]
  const res = await app.inject({ method: 'POST', url: '/v1/score', payload: { groups } })
  assert.equal(res.statusCode, 200, res.body)
  const results = res.json<{ groups: Array<{ results: Array<{ reward: number, components: { format: { score: number } } }> }> }>().groups[0]?.results ?? []
  assert.deepEqual(results.map(r => r.components.format.score), [1, 1, 1])
  const off = await app.inject({ method: 'POST', url: '/v1/score', payload: { groups, rewards: { format: { strip_tokens: [] } } } })
  const offResults = off.json<{ groups: Array<{ results: Array<{ components: { format: { score: number } } }> }> }>().groups[0]?.results ?? []
  assert.deepEqual(offResults.map(r => r.components.format.score), [0, 0, 1])
  const bad = await app.inject({ method: 'POST', url: '/v1/score', payload: { groups, rewards: { format: { strip_tokens: [''] } } } })
  assert.equal(bad.statusCode, 400)
})

test('POST /get_reward: OpenRLHF-sized batches by default (8,192 queries; 512 queries of 35 KB); a 413 names the setting', async (t) => {
  const app = await build(t, { GET_REWARD_REWARDS: '{"accuracy":{"enabled":false}}' })
  const many = Array.from({ length: 8192 }, (_, i) => `${prompt}<think>${i}</think><answer>${i}</answer><|im_end|>`)
  const res = await app.inject({ method: 'POST', url: '/get_reward', payload: { query: many, prompts: many.map(() => prompt), labels: many.map((_, i) => i) } })
  assert.equal(res.statusCode, 200, res.body.slice(0, 300))
  const body = res.json<GetRewardReply>()
  assert.equal(body.rewards.length, 8192)
  assert.ok(body.rewards.every(r => r === 1))
  const long = `<think>${'x'.repeat(35_000)}</think><answer>1</answer>`
  const big = await app.inject({ method: 'POST', url: '/get_reward', payload: { query: Array.from({ length: 512 }, () => long) } })
  assert.equal(big.statusCode, 200, big.body.slice(0, 300))
  assert.ok(Buffer.byteLength(JSON.stringify({ query: Array.from({ length: 512 }, () => long) })) > 16 * 1024 * 1024)

  const small = await build(t, { GET_REWARD_BODY_LIMIT_BYTES: '4096', GET_REWARD_MAX_BATCH: '3' })
  const over = await small.inject({ method: 'POST', url: '/get_reward', payload: { query: ['x'.repeat(5000)] } })
  assert.equal(over.statusCode, 413)
  assert.match(over.json<{ message: string }>().message, /GET_REWARD_BODY_LIMIT_BYTES \(4096 bytes/)
  const count = await small.inject({ method: 'POST', url: '/get_reward', payload: { query: ['a', 'b', 'c', 'd'] } })
  assert.equal(count.statusCode, 413)
  assert.match(count.json<{ message: string }>().message, /GET_REWARD_MAX_BATCH \(3\)/)
})

test('GET_REWARD_TOKEN is retired: setting it refuses to start, naming the replacement', async (t) => {
  await assert.rejects(build(t, { GET_REWARD_TOKEN: 's3cret' }), /GET_REWARD_TOKEN.*keys add/)
})
