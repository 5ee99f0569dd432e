// assert.js: node:assert, implemented inside the isolate (no host object is ever reachable).
// Concatenated into both realm preludes; defines makeAssert(), returning the module that `require`
// serves for 'assert', 'node:assert', 'assert/strict' and 'node:assert/strict'.
function makeAssert () { // eslint-disable-line no-unused-vars
  'use strict'
  class AssertionError extends Error {
    constructor (options) {
      const o = typeof options === 'object' && options !== null ? options : { message: String(options) }
      super(o.message === undefined ? 'assertion failed' : String(o.message))
      this.name = 'AssertionError'
      this.code = 'ERR_ASSERTION'
      this.actual = o.actual
      this.expected = o.expected
      this.operator = o.operator
    }
  }
  const fail = (message, actual, expected, operator, dflt) => {
    if (message instanceof Error) throw message
    throw new AssertionError({ message: message === undefined ? dflt : message, actual, expected, operator })
  }
  const isObj = x => typeof x === 'object' && x !== null
  const tagOf = x => Object.prototype.toString.call(x)
  function deep (a, b, strict, seen) {
    if (strict ? Object.is(a, b) : (a == b || (Number.isNaN(a) && Number.isNaN(b)))) return true // eslint-disable-line eqeqeq
    if (!isObj(a) || !isObj(b)) return false
    if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
    if (tagOf(a) !== tagOf(b)) return false
    if (a instanceof Date) return a.getTime() === b.getTime()
    if (a instanceof RegExp) return String(a) === String(b)
    if (seen.has(a)) return seen.get(a) === b
    seen.set(a, b)
    if (a instanceof Map) {
      if (a.size !== b.size) return false
      for (const [k, v] of a) if (!b.has(k) || !deep(v, b.get(k), strict, seen)) return false
      return true
    }
    if (a instanceof Set) {
      if (a.size !== b.size) return false
      outer: for (const v of a) { // eslint-disable-line no-labels
        if (b.has(v)) continue
        for (const w of b) if (deep(v, w, strict, seen)) continue outer // eslint-disable-line no-labels
        return false
      }
      return true
    }
    if (Array.isArray(a) !== Array.isArray(b)) return false
    const ka = Object.keys(a)
    const kb = Object.keys(b)
    if (ka.length !== kb.length) return false
    for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !deep(a[k], b[k], strict, seen)) return false
    return true
  }
  const deepEq = (a, b, strict) => deep(a, b, strict, new Map())
  function throwsCheck (fn, expected, message) {
    let threw = false
    let err
    try { fn() } catch (e) { threw = true; err = e }
    if (!threw) fail(typeof expected === 'string' ? expected : message, undefined, expected, 'throws', 'Missing expected exception.')
    if (typeof expected === 'function') {
      if (expected.prototype !== undefined && err instanceof expected) return
      if (Object.prototype.isPrototypeOf.call(Error, expected) || expected === Error) throw err
      if (expected(err) !== true) throw err
    } else if (expected instanceof RegExp) {
      if (!expected.test(String(err))) throw err
    } else if (isObj(expected)) {
      for (const k of Object.keys(expected)) if (!deepEq(err[k], expected[k], true)) throw err
    }
  }
  function make (strict) {
    const ok = (v, m) => { if (!v) fail(m, v, true, '==', 'The expression evaluated to a falsy value') }
    const a = (v, m) => ok(v, m)
    a.ok = ok
    a.AssertionError = AssertionError
    a.fail = m => fail(m, undefined, undefined, 'fail', 'Failed')
    a.equal = strict
      ? (x, y, m) => { if (!Object.is(x, y)) fail(m, x, y, 'strictEqual', 'Expected values to be strictly equal') }
      : (x, y, m) => { if (!(x == y || (Number.isNaN(x) && Number.isNaN(y)))) fail(m, x, y, '==', `${x} == ${y}`) } // eslint-disable-line eqeqeq
    a.notEqual = strict
      ? (x, y, m) => { if (Object.is(x, y)) fail(m, x, y, 'notStrictEqual', 'Expected values to be not strictly equal') }
      : (x, y, m) => { if (x == y) fail(m, x, y, '!=', `${x} != ${y}`) } // eslint-disable-line eqeqeq
    a.strictEqual = (x, y, m) => { if (!Object.is(x, y)) fail(m, x, y, 'strictEqual', 'Expected values to be strictly equal') }
    a.notStrictEqual = (x, y, m) => { if (Object.is(x, y)) fail(m, x, y, 'notStrictEqual', 'Expected values to be not strictly equal') }
    a.deepEqual = (x, y, m) => { if (!deepEq(x, y, strict)) fail(m, x, y, 'deepEqual', 'Expected values to be deeply equal') }
    a.notDeepEqual = (x, y, m) => { if (deepEq(x, y, strict)) fail(m, x, y, 'notDeepEqual', 'Expected values not to be deeply equal') }
    a.deepStrictEqual = (x, y, m) => { if (!deepEq(x, y, true)) fail(m, x, y, 'deepStrictEqual', 'Expected values to be strictly deep-equal') }
    a.notDeepStrictEqual = (x, y, m) => { if (deepEq(x, y, true)) fail(m, x, y, 'notDeepStrictEqual', 'Expected values not to be strictly deep-equal') }
    a.throws = (fn, e, m) => throwsCheck(fn, e, m)
    a.doesNotThrow = (fn, m) => { try { fn() } catch (e) { fail(typeof m === 'string' ? m : undefined, e, undefined, 'doesNotThrow', 'Got unwanted exception.') } }
    a.match = (s, re, m) => { if (!re.test(s)) fail(m, s, re, 'match', 'The input did not match') }
    a.doesNotMatch = (s, re, m) => { if (re.test(s)) fail(m, s, re, 'doesNotMatch', 'The input was expected to not match') }
    a.ifError = v => { if (v !== null && v !== undefined) throw v }
    return a
  }
  const legacy = make(false)
  legacy.strict = make(true)
  legacy.strict.strict = legacy.strict
  return legacy
}
