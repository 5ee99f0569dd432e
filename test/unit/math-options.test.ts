/** The math options reach the verifier: `rounding` on /v1/verify/math and rewards.accuracy; hedges explain themselves; code extraction reads the configured tags. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.ts'
import { extractCode } from '../../src/rewards/code/extract.ts'
import { resolveOptions } from '../../src/scoring/options.ts'

interface Reply { equivalent: boolean | null, status: string, rule: string | null, details?: { candidates: string[] } }
interface Accuracy { score: number | null, status: string, details?: { rule?: string, candidates?: string[] } }
interface ScoreReply { groups: Array<{ results: Array<{ components: { accuracy?: Accuracy } }> }> }

test('POST /v1/verify/math: rounding off by default, gold_precision on request; a hedge names its candidates', async (t) => {
  const app = await build(t)
  const ask = async (payload: object): Promise<Reply> => {
    const res = await app.inject({ method: 'POST', url: '/v1/verify/math', payload })
    assert.equal(res.statusCode, 200, res.body)
    return res.json<Reply>()
  }
  assert.equal((await ask({ gold: '2.5', prediction: '2.54', extract: false })).equivalent, false)
  assert.equal((await ask({ gold: '2.5', prediction: '2.54', extract: false, rounding: 'gold_precision' })).equivalent, true)
  const bad = await app.inject({ method: 'POST', url: '/v1/verify/math', payload: { gold: '1', prediction: '1', rounding: 'nearest' } })
  assert.equal(bad.statusCode, 400)
  assert.equal(bad.json<{ field: string }>().field, '/rounding')
  const hedge = await ask({ gold: '8', prediction: 'so it is \\boxed{7}\\boxed{8}' })
  assert.equal(hedge.equivalent, false)
  assert.equal(hedge.rule, 'hedge')
  assert.deepEqual(hedge.details?.candidates, ['7', '8'])
})

test('rewards.accuracy.rounding reaches the math check; hedge candidates are in the component details', async (t) => {
  const app = await build(t)
  const score = async (rounding?: string): Promise<Accuracy[]> => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/score',
      payload: {
        rewards: { format: { enabled: false }, accuracy: rounding === undefined ? {} : { rounding } },
        groups: [{ id: 'g', reference: { type: 'math', answer: '2.5' }, completions: ['<think>x</think><answer>2.54</answer>', '<think>x</think><answer>\\boxed{2.5} or \\boxed{3}</answer>'] }]
      }
    })
    assert.equal(res.statusCode, 200, res.body)
    return res.json<ScoreReply>().groups[0]?.results.map(r => r.components.accuracy as Accuracy) ?? []
  }
  const off = await score()
  assert.equal(off[0]?.score, 0)
  assert.equal(off[1]?.score, 0)
  assert.equal(off[1]?.details?.rule, 'hedge')
  assert.deepEqual(off[1]?.details?.candidates, ['2.5', '3'])
  const gp = await score('gold_precision')
  assert.equal(gp[0]?.score, 1)
  assert.equal(resolveOptions({}).rewards.accuracy?.rounding, 'off')
})

test('code extraction reads the configured tags: code inside the reasoning is never graded', () => {
  const tags = { think: 'reasoning', answer: 'solution' }
  const inReasoning = '<reasoning>\n```python\nprint(1)\n```\n</reasoning>\nno code here'
  assert.equal(extractCode(inReasoning, 'python', tags).code, 'no code here\n')
  assert.equal(extractCode('<reasoning>\n```python\nprint(1)\n```\n</reasoning>\n```python\nprint(2)\n```', 'python', tags).code, 'print(2)\n')
  assert.equal(extractCode('<reasoning>\n```python\nprint(1)\n```\n</reasoning><solution>\n```python\nprint(3)\n```\n</solution>', 'python', tags).code, 'print(3)\n')
  // reasoning never closed: everything after its opening tag is reasoning
  assert.equal(extractCode('<reasoning>\n```python\nprint(1)\n```', 'python', tags).kind, 'empty')
  // <answer> is an ordinary word under other tag names
  assert.equal(extractCode('<reasoning>```python\nprint(1)\n```</reasoning>\n<answer>\n```python\nprint(4)\n```\n</answer>', 'python', tags).code, 'print(4)\n')
})
