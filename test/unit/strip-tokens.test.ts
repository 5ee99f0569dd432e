import { test } from 'node:test'
import assert from 'node:assert/strict'
import { stripTrailingTokens, DEFAULT_STRIP_TOKENS } from '../../src/rewards/format/strip.ts'
import { floatJson } from '../../src/lib/float-json.ts'

const body = '<think>a</think><answer>4</answer>'

test('stripTrailingTokens: every default end token, repeated, mixed, with whitespace between and after', () => {
  for (const t of DEFAULT_STRIP_TOKENS) {
    assert.equal(stripTrailingTokens(body + t, DEFAULT_STRIP_TOKENS), body, t)
    assert.equal(stripTrailingTokens(`${body}\n${t} \n${t}\r\n`, DEFAULT_STRIP_TOKENS), `${body}\n`, t)
  }
  assert.equal(stripTrailingTokens(`${body}<|im_end|>\n<|endoftext|></s>`, DEFAULT_STRIP_TOKENS), body)
  assert.equal(stripTrailingTokens('<|eot_id|>', DEFAULT_STRIP_TOKENS), '')
})

test('stripTrailingTokens: only trailing tokens; text without one comes back unchanged', () => {
  const middle = '<think>a</think><|im_end|><answer>4</answer>'
  assert.equal(stripTrailingTokens(middle, DEFAULT_STRIP_TOKENS), middle)
  assert.equal(stripTrailingTokens(`${body}  \n`, DEFAULT_STRIP_TOKENS), `${body}  \n`)
  assert.equal(stripTrailingTokens(`${body}<|im_end|>x`, DEFAULT_STRIP_TOKENS), `${body}<|im_end|>x`)
  assert.equal(stripTrailingTokens(`${body}|im_end|>`, DEFAULT_STRIP_TOKENS), `${body}|im_end|>`) // a partial token is text
  assert.equal(stripTrailingTokens(`${body}<|im_end|>`, []), `${body}<|im_end|>`)
  assert.equal(stripTrailingTokens(`${body}[END][END]`, ['[END]']), body)
  assert.equal(stripTrailingTokens('', DEFAULT_STRIP_TOKENS), '')
})

test('floatJson: every number has a fraction or an exponent; strings and keys escaped; non-finite refused', () => {
  assert.equal(floatJson({ rewards: [2, 0.5, -0, 0, -3], k: { 'a"b': [1e21, 1e-7] } }), '{"rewards":[2.0,0.5,-0.0,0.0,-3.0],"k":{"a\\"b":[1e+21,1e-7]}}')
  assert.deepEqual(JSON.parse(floatJson({ a: [1, 2.5], s: 'x\n', n: null, b: true })), { a: [1, 2.5], s: 'x\n', n: null, b: true })
  assert.throws(() => floatJson([Number.NaN]), RangeError)
  assert.throws(() => floatJson([Number.POSITIVE_INFINITY]), RangeError)
})

test('stripTrailingTokens: adversarial sizes (a megabyte of end tokens or of whitespace) stay linear', () => {
  assert.equal(stripTrailingTokens('</s>'.repeat(250_000), DEFAULT_STRIP_TOKENS), '')
  const spaces = body + ' \n'.repeat(500_000)
  assert.equal(stripTrailingTokens(spaces, DEFAULT_STRIP_TOKENS), spaces)
  const many = Array.from({ length: 32 }, (_, i) => `<e${i}>`.padEnd(64, 'x'))
  assert.equal(stripTrailingTokens(body + (many[31] ?? '').repeat(10_000), many), body)
})
