import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatReward, type FormatOptions } from '../../src/rewards/format/index.ts'
import { splitTemplate } from '../../src/rewards/format/template.ts'

const tags = { think: 'think', answer: 'answer' }
const strict: FormatOptions = { mode: 'strict', template: 'r1', tags, think_prefilled: false }
const partial: FormatOptions = { ...strict, mode: 'partial' }
const chat: FormatOptions = { ...strict, template: 'chat' }
const score = (text: string, o = strict): number | null => formatReward(text, o).score

test('strict r1: the template passes with or without newlines around contents', () => {
  assert.equal(score('<think>\nabc\n</think>\n<answer>\n1.5\n</answer>'), 1)
  assert.equal(score('<think>abc</think><answer>1.5</answer>'), 1)
  assert.equal(score('  <think>abc</think>\n\n<answer>1.5</answer>\n'), 1)
})

test('strict r1: what earns nothing', () => {
  const cases: Array<[string, string]> = [
    ['<think>a</think><think>b</think><answer>1</answer>', 'more than one think block'],
    ['<think>a</think><answer>  </answer>', 'empty answer'],
    ['<think>a</think><answer></answer>', 'empty answer'],
    ['Sure! <think>a</think><answer>1</answer>', 'text before the think block'],
    ['<think>a</think>so<answer>1</answer>', 'text between think and answer blocks'],
    ['<think>a</think><answer>1</answer> done', 'text after the answer block'],
    ['<think>a</think><answer><answer>1</answer></answer>', 'unbalanced or repeated tags'],
    ['<think>a</think><answer>1 <think>x</think></answer>', 'more than one think block'],
    ['<answer>1</answer>', 'missing think block'],
    ['<think>a</think>', 'missing answer block'],
    ['<answer>1</answer><think>a</think>', 'think block malformed'],
    ['<think>a<answer>1</answer></think>', 'think block malformed'],
    ['', 'missing think block']
  ]
  for (const [text, reason] of cases) {
    const r = formatReward(text, strict)
    assert.equal(r.score, 0, text)
    assert.equal(r.status, 'ok', text)
    assert.equal(r.reason, reason, text)
  }
})

test('partial mode: 0.25 per tag present exactly once (open-r1 tag count)', () => {
  assert.equal(score('<think>\na\n</think>\n<answer>\n1\n</answer>', partial), 1)
  assert.equal(score('<think>a</think> and 1', partial), 0.5)
  assert.equal(score('<think>a</think><think>b</think><answer>1</answer>', partial), 0.5)
  assert.equal(score('nothing', partial), 0)
})

test('chat template: think then a plain summary; answer tags are wrong there', () => {
  assert.equal(score('<think>\nwork\n</think>\nThe answer is 3.', chat), 1)
  assert.equal(score('<think>work</think>', chat), 0)
  assert.equal(score('<think>work</think><answer>3</answer>', chat), 0)
  assert.equal(score('<think>work</think>3', { ...chat, mode: 'partial' }), 1)
})

test('configurable tags and a prefilled opening tag', () => {
  const custom: FormatOptions = { ...strict, tags: { think: 'reasoning', answer: 'solution' } }
  assert.equal(score('<reasoning>a</reasoning><solution>1</solution>', custom), 1)
  assert.equal(score('<think>a</think><answer>1</answer>', custom), 0)
  assert.equal(score('a</think><answer>1</answer>', { ...strict, think_prefilled: true }), 1)
  assert.equal(score('<think>a</think><answer>1</answer>', { ...strict, think_prefilled: true }), 0)
})

test('splitTemplate: think bodies, last answer, summary', () => {
  const p = splitTemplate('<think>one</think>mid<think>two</think> sum <answer> 42 </answer>', tags)
  assert.deepEqual(p.think, ['one', 'two'])
  assert.equal(p.answer, '42')
  assert.equal(p.summary, 'sum <answer> 42 </answer>')
  const prefilled = splitTemplate('reasoning here</think>The answer is 4', tags)
  assert.deepEqual(prefilled.think, ['reasoning here'])
  assert.equal(prefilled.summary, 'The answer is 4')
  assert.deepEqual(splitTemplate('no tags at all', tags), { think: [], answer: null, summary: '' })
})
