/** Comparison rules (host side) and code extraction: pure, no sandbox. */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { caseMatches, normaliseOutput, outputMatches, toTagged, valueMatches } from '../../src/rewards/code/compare.ts'
import { losslessJson, numberText, parseLossless } from '../../src/rewards/code/lossless.ts'
import { extractCode } from '../../src/rewards/code/extract.ts'
import { clampLimits, PYTHON_CAPS } from '../../src/sandbox/limits.ts'

describe('valueMatches (call form)', () => {
  test('numbers: integers exact, floats within tolerance, booleans are not numbers', () => {
    assert.ok(valueMatches(3, 3))
    assert.ok(!valueMatches(3, 4))
    assert.ok(valueMatches(0.1 + 0.2, 0.3))
    assert.ok(!valueMatches(0.31, 0.3))
    assert.ok(valueMatches(1.0000001, 1.5, 1) && !valueMatches(1.0000001, 1), 'an expected integer is exact')
    assert.ok(valueMatches({ $float: '1.0000001' }, 1, 1e-6, '1.0'), 'an expected float written 1.0 has tolerance')
    assert.ok(!valueMatches({ $float: '1.001' }, 1, 1e-6, '1.0'))
    assert.ok(valueMatches({ $float: '1.001' }, 1, 1e-2, '1.0'))
    assert.ok(!valueMatches(true, 1))
    assert.ok(!valueMatches(1, true))
    assert.ok(!valueMatches(0, false))
    assert.ok(!valueMatches({ $float: 'nan' }, 0))
  })
  test('big integers exact through $int', () => {
    assert.ok(valueMatches({ $int: '9007199254740993' }, 9007199254740992, {}, '9007199254740993'))
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
  test('sets and lists in any order only with unordered, with multiplicity', () => {
    const u = { unordered: true }
    assert.ok(!valueMatches({ $set: [3, 1, 2] }, [1, 2, 3]), 'a set is not a list')
    assert.ok(valueMatches({ $set: [3, 1, 2] }, [1, 2, 3], u))
    assert.ok(!valueMatches({ $set: [1, 2] }, [1, 1], u))
    assert.ok(!valueMatches({ $set: [1, 2] }, [1, 2, 3], u))
    assert.ok(!valueMatches([2, 1], [1, 2]))
    assert.ok(valueMatches([2, 1, 1], [1, 2, 1], u))
    assert.ok(!valueMatches([2, 2, 1], [1, 2, 1], u))
    assert.ok(valueMatches({ $tuple: [2, 1] }, [1, 2], u))
    assert.ok(!valueMatches([[2, 1]], [[1, 2]], u), 'nested lists keep their order')
    assert.ok(valueMatches([{ $set: [2, 1] }], [[1, 2]], u), 'nested sets are unordered')
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

describe('numbers as written (lossless expected values)', () => {
  const one = (expectedJson: string, actual: unknown): boolean => {
    const c = parseLossless(`{"args": [], "expected": ${expectedJson}}`) as { expected: unknown }
    return caseMatches(actual, c)
  }
  const big309 = '1' + '0'.repeat(308)
  test('near misses of integers fail', () => {
    assert.ok(!one(big309, { $float: 'inf' }), '1e999 is not a 309-digit integer')
    assert.ok(!one(big309, { $float: '1e+308' }), 'a float near 10^308 is not that integer exactly')
    assert.ok(one(big309, { $int: big309 }))
    assert.ok(!one('100000000000000000001', { $float: '1e+20' }))
    assert.ok(one('100000000000000000000', { $float: '1e+20' }), 'an exactly integral float equals the integer')
    assert.ok(!one('1000000000000', { $float: '999999500000.5' }))
    assert.ok(!one('18446744073709551615', { $int: '18446744073709551616' }), 'a wrong 2**64')
    assert.ok(one('18446744073709551615', { $int: '18446744073709551615' }), 'the right one')
    assert.ok(!one('5', { $float: '4.9999996' }))
    assert.ok(one('5', { $float: '5.0' }))
    assert.ok(!one('[1, 7]', [1, true]))
  })
  test('floats as written: 5.0, 1e3, 2.5e-1 keep their tolerance', () => {
    assert.ok(one('5.0', { $float: '4.9999996' }))
    assert.ok(one('5.0', 5))
    assert.ok(one('1e3', { $float: '1000.0000001' }))
    assert.ok(!one('1000', { $float: '1000.0000001' }))
    assert.ok(one('[1, 2.5e-1]', [1, { $float: '0.25' }]))
    assert.ok(one('{"a": 1.0}', { $dict: [['a', { $float: '1.0000001' }]] }))
    assert.ok(!one('{"a": 1}', { $dict: [['a', { $float: '1.0000001' }]] }))
  })
  test('no infinity or NaN ever matches a number', () => {
    assert.ok(!one('1e999', { $float: 'inf' }))
    assert.ok(!one('1.5', { $float: 'nan' }))
    assert.ok(!one('0', { $float: '-inf' }))
  })
  test('toTagged sends numbers as written into the sandbox', () => {
    const c = parseLossless('{"args": [5.0, 1e3, 18446744073709551615, 7, {"k": 2.0}]}') as { args: unknown[] }
    assert.deepEqual(toTagged(c.args), [{ $float: '5' }, { $float: '1000' }, { $int: '18446744073709551615' }, 7, { $dict: [['k', { $float: '2' }]] }])
  })
  test('annotations survive escaped keys, empty containers, odd spacing and deep nesting', () => {
    const v = parseLossless(' { "a\\"b" : [ [ [ 1.50 ] ] , { } , [ ] , "x" , { "expected" : 2 } ] , "expected" : [ 7 , 2e0 ] } ') as Record<string, unknown>
    assert.ok(caseMatches([7, { $float: '2.0000001' }], v), '2e0 is a float')
    const inner = (v['a"b'] as unknown[])[4] as { expected: unknown }
    assert.ok(!caseMatches({ $float: '2.0000001' }, inner), '2 is an integer')
    const depth = 150 // sandboxes send values nested at most 200 deep
    const deep = parseLossless('{"expected": ' + '['.repeat(depth) + '1.0' + ']'.repeat(depth) + '}') as { expected: unknown }
    let actual: unknown = { $float: '1.0000001' }
    for (let i = 0; i < depth; i++) actual = [actual]
    assert.ok(caseMatches(actual, deep))
    assert.ok(Array.isArray(parseLossless('['.repeat(20000) + '1.0' + ']'.repeat(20000))), 'the annotator never recurses')
  })
})

describe('losslessJson (copies that keep the numbers as written)', () => {
  test('writes annotated numbers as they were written; parsed back, the annotations are there again', () => {
    const text = '{"cases":[{"args":[1.0,"x"],"expected":18446744073709551615},{"args":[],"expected":[5.0,1e3,-0.0,2]}],"n":null}'
    const v = parseLossless(text)
    const out = losslessJson(v)
    assert.equal(out, text)
    assert.notEqual(JSON.stringify(v), text)
    const again = parseLossless(out) as { cases: Array<{ expected: unknown[] }> }
    assert.equal(numberText(again.cases[0], 'expected'), '18446744073709551615')
    assert.equal(numberText(again.cases[1]?.expected, 0), '5.0')
  })
  test('plain values: the same text as JSON.stringify', () => {
    const v = { a: [1, 2.5, 'q"', true, null, { b: undefined, c: -3 }], d: 'é' }
    assert.equal(losslessJson(v), JSON.stringify(v))
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
  test('integers exact even when a float token is written: 1e+20, inf, 4.9999996, 2**64 miss', () => {
    assert.ok(!outputMatches('inf', '1' + '0'.repeat(308)))
    assert.ok(!outputMatches('1e+20', '100000000000000000001'))
    assert.ok(outputMatches('1e+20', '100000000000000000000'))
    assert.ok(!outputMatches('999999500000.5', '1000000000000'))
    assert.ok(!outputMatches('18446744073709551616', '18446744073709551615'))
    assert.ok(!outputMatches('4.9999996', '5'))
    assert.ok(outputMatches('5.000', '5'))
    assert.ok(!outputMatches('nan', '7.5'))
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
