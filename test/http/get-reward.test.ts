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

test('GET_REWARD_TOKEN is retired: setting it refuses to start, naming the replacement', async (t) => {
  await assert.rejects(build(t, { GET_REWARD_TOKEN: 's3cret' }), /GET_REWARD_TOKEN.*keys add/)
})
