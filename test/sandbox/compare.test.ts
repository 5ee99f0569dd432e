/** Comparison rules (host side) and code extraction: pure, no sandbox. */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { normaliseOutput, outputMatches, toTagged, valueMatches } from '../../src/rewards/code/compare.ts'
import { extractCode } from '../../src/rewards/code/extract.ts'
import { clampLimits, PYTHON_CAPS } from '../../src/sandbox/limits.ts'

describe('valueMatches (call form)', () => {
  test('numbers: integers exact, floats within tolerance, booleans are not numbers', () => {
    assert.ok(valueMatches(3, 3))
    assert.ok(!valueMatches(3, 4))
    assert.ok(valueMatches(0.1 + 0.2, 0.3))
    assert.ok(!valueMatches(0.31, 0.3))
    assert.ok(valueMatches(1.0000001, 1, 1e-6))
    assert.ok(!valueMatches(1.001, 1, 1e-6))
    assert.ok(valueMatches(1.001, 1, 1e-2))
    assert.ok(!valueMatches(true, 1))
    assert.ok(!valueMatches(1, true))
    assert.ok(!valueMatches(0, false))
    assert.ok(!valueMatches({ $float: 'nan' }, 0))
  })
  test('big integers exact through $int', () => {
    assert.ok(valueMatches({ $int: '123456789012345678901234567890' }, '123456789012345678901234567890'))
    assert.ok(!valueMatches({ $int: '9007199254740993' }, 9007199254740992))
    assert.ok(valueMatches({ $int: '9007199254740992' }, 9007199254740992))
  })
  test('strings, null, lists and tuples', () => {
    assert.ok(valueMatches('abc', 'abc'))
    assert.ok(!valueMatches('abc', 'abc '))
    assert.ok(valueMatches(null, null))
    assert.ok(!valueMatches(null, 0))
    assert.ok(valueMatches([1, [2, 3]], [1, [2, 3]]))
    assert.ok(!valueMatches([1, 2], [1, 2, 3]), 'never a prefix match')
    assert.ok(!valueMatches([1, 2, 3], [1, 2]))
    assert.ok(valueMatches({ $tuple: [1, 'a'] }, [1, 'a']))
  })
  test('sets in any order, with multiplicity', () => {
    assert.ok(valueMatches({ $set: [3, 1, 2] }, [1, 2, 3]))
    assert.ok(!valueMatches({ $set: [1, 2] }, [1, 1]))
    assert.ok(!valueMatches({ $set: [1, 2] }, [1, 2, 3]))
  })
  test('dicts by JSON key spelling', () => {
    assert.ok(valueMatches({ $dict: [['a', 1], [2, [3]]] }, { a: 1, 2: [3] }))
    assert.ok(!valueMatches({ $dict: [['a', 1]] }, { a: 1, b: 2 }))
    assert.ok(!valueMatches({ $dict: [['a', 1], ['b', 3]] }, { a: 1, b: 2 }))
    assert.ok(valueMatches({ $obj: [['x', { $undef: 0 }]] }, { x: 1 }) === false)
  })
  test('opaque and other tags never equal plain JSON', () => {
    for (const t of [{ $h: 1, t: 'Eq' }, { $iter: [1] }, { $range: [0, 1, 1] }, { $bytes: 'YQ==' }, { $fn: 'f' }, { $undef: 0 }, { weird: 1, other: 2 }]) {
      assert.ok(!valueMatches(t, [1]))
      assert.ok(!valueMatches(t, 1))
      assert.ok(!valueMatches(t, null))
    }
  })
  test('toTagged turns request objects into $dict pairs', () => {
    assert.deepEqual(toTagged([{ a: [1, { b: 2 }] }]), [{ $dict: [['a', [1, { $dict: [['b', 2]] }]]] }])
  })
})

describe('outputMatches (stdio form)', () => {
  test('CRLF, trailing spaces and trailing blank lines are ignored', () => {
    assert.ok(outputMatches('1 2\r\n3  \r\n\r\n\n', '1 2\n3'))
    assert.deepEqual(normaliseOutput('a \r\nb\r\n\n'), ['a', 'b'])
  })
  test('the same number of lines; never a prefix match', () => {
    assert.ok(!outputMatches('1\n2', '1\n2\n3'))
    assert.ok(!outputMatches('1\n2\n3', '1\n2'))
    assert.ok(!outputMatches('', '0'))
    assert.ok(outputMatches('', ''))
    assert.ok(!outputMatches('12', '1'))
  })
  test('numeric tokens within tolerance, integers exact', () => {
    assert.ok(outputMatches('3.1415927', '3.14159265'))
    assert.ok(!outputMatches('3.15', '3.14159265'))
    assert.ok(outputMatches('0.30000000000000004', '0.3'))
    assert.ok(!outputMatches('10', '11'))
    assert.ok(outputMatches('1e3', '1000.0'))
    assert.ok(!outputMatches('abc', 'abd'))
    assert.ok(outputMatches('1.5 2', '1.50 2', 1e-9))
  })
  test('a line whose token counts differ does not match', () => {
    assert.ok(!outputMatches('1 2', '1 2 3'))
    assert.ok(!outputMatches('yes', 'yes no'))
  })
})

describe('extractCode', () => {
  test('the last fenced block of the language inside <answer>', () => {
    const c = '<think>```python\nprint(0)\n```</think>\n<answer>\nHere:\n```py\nprint(1)\n```\nand\n```python\nprint(2)\n```\n</answer>'
    assert.deepEqual(extractCode(c, 'python'), { code: 'print(2)\n', kind: 'fenced' })
  })
  test('after </think> when there is no <answer>; never inside the thinking', () => {
    assert.equal(extractCode('<think>```python\nx=1\n```</think>\n```python\nx=2\n```', 'python').code, 'x=2\n')
  })
  test('a fence of another language is never taken; an untagged fence is', () => {
    assert.equal(extractCode('```js\nlet a\n```', 'python').kind, 'empty')
    assert.equal(extractCode('```\nprint(1)\n```', 'python').code, 'print(1)\n')
    assert.equal(extractCode('```js\nlet a = 1\n```\n```python\nb=2\n```', 'javascript').code, 'let a = 1\n')
  })
  test('fenced > unterminated > bare', () => {
    assert.deepEqual(extractCode('text\n```python\nprint(1)\n', 'python'), { code: 'print(1)\n', kind: 'unterminated_fence' })
    assert.deepEqual(extractCode('def f():\n  return 1', 'python'), { code: 'def f():\n  return 1\n', kind: 'bare' })
    assert.deepEqual(extractCode('   ', 'python'), { code: '', kind: 'empty' })
    assert.equal(extractCode('```python\na=1\n```\n```python\nb=2\n', 'python').code, 'a=1\n')
  })
})

describe('limits', () => {
  test('a request may lower a cap, never raise it', () => {
    const l = clampLimits(PYTHON_CAPS, { time_ms: 10 ** 9, memory_mb: 64, output_bytes: 1 })
    assert.equal(l.time_ms, PYTHON_CAPS.time_ms)
    assert.equal(l.memory_mb, 64)
    assert.equal(l.output_bytes, 1024)
    assert.equal(clampLimits(PYTHON_CAPS, undefined).memory_mb, PYTHON_CAPS.memory_mb)
    assert.equal(clampLimits(PYTHON_CAPS, { time_ms: Number.NaN }).time_ms, PYTHON_CAPS.time_ms)
  })
})
