// t-realm.js: prelude of the test's context (the "test realm"), a different V8 context from the solution's.
// console.assert throws here (HumanEval-X tests use it); require serves only assert. The names the test
// takes from the solution become globals of this realm that call into the solution through its
// dispatcher with JSON strings, so the solution never holds an object of this realm and cannot patch
// console, JSON, Object.prototype or the assert module the test uses.
//   completion value: bind(json{name: kind} from the solution's 'names', json[identifiers of the test]) -> json[bound names]
/* global makeAssert */
(function () {
  'use strict'
  const G = globalThis
  delete G.SharedArrayBuffer
  delete G.Atomics
  delete G.WebAssembly
  const C = G.__rv_c
  delete G.__rv_c
  const parse = JSON.parse
  const stringify = JSON.stringify
  const defineProperty = Object.defineProperty
  const ErrorC = Error
  const assertModule = makeAssert()
  const AssertionError = assertModule.AssertionError
  let bytes = 0
  const log = (...args) => {
    bytes += args.reduce((n, a) => n + String(a).length + 1, 0)
    if (bytes > (1 << 20)) throw new ErrorC('output limit exceeded')
  }
  G.console = {
    log,
    info: log,
    debug: log,
    warn: log,
    error: log,
    trace: log,
    assert: (cond, ...msg) => { if (!cond) throw new AssertionError({ message: msg.length ? msg.map(String).join(' ') : 'console.assert failed' }) }
  }
  G.require = name => {
    if (name === 'assert' || name === 'node:assert') return assertModule
    if (name === 'assert/strict' || name === 'node:assert/strict') return assertModule.strict
    throw new ErrorC(`Cannot find module '${name}' (only assert is available in the sandbox)`)
  }

  function decode (x) {
    if (Array.isArray(x)) return x.map(decode)
    if (x === null || typeof x !== 'object') return x
    const [tag, body] = Object.entries(x)[0] ?? []
    switch (tag) {
      case '$obj': case '$inst': { const o = {}; for (const [k, v] of body) o[k] = decode(v); return o }
      case '$undef': return undefined
      case '$num': return Number(body)
      case '$bigint': return BigInt(body)
      case '$map': return new Map(body.map(([k, v]) => [decode(k), decode(v)]))
      case '$set': return new Set(body.map(decode))
      case '$date': return new Date(body)
      case '$fn': return function opaqueFunction () { throw new TypeError('a function returned by the solution cannot be called from the test') }
      case '$sym': return Symbol(body)
      case '$throw': {
        const [name, message] = body
        const Ctor = { TypeError, RangeError, SyntaxError, ReferenceError }[name] ?? ErrorC
        const e = new Ctor(String(message))
        if (Ctor === ErrorC && name !== 'Error') e.name = String(name)
        throw e
      }
    }
    throw new TypeError('unreadable value from the solution')
  }
  function encodeArg (v) {
    if (v === undefined) return { $undef: 0 }
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) }
    if (typeof v === 'bigint') return { $bigint: String(v) }
    if (Array.isArray(v)) return v.map(encodeArg)
    if (v instanceof Map) return { $map: [...v].map(([k, x]) => [encodeArg(k), encodeArg(x)]) }
    if (v instanceof Set) return { $set: [...v].map(encodeArg) }
    if (v instanceof Date) return { $date: v.getTime() }
    if (v !== null && typeof v === 'object') return { $obj: Object.keys(v).map(k => [k, encodeArg(v[k])]) }
    if (typeof v === 'function' || typeof v === 'symbol') throw new TypeError('cannot pass a ' + typeof v + ' into the solution')
    return v
  }
  const callRemote = (name, args) => decode(parse(C('call', name, stringify(args.map(encodeArg)))))

  const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/
  return function bind (kindsJson, wantedJson) {
    // kinds: the solution's answer for names of its own source (data it controls, checked here)
    const wanted = new Set(parse(wantedJson))
    let kinds = {}
    try { kinds = parse(kindsJson) } catch {}
    const bound = []
    for (const name of Object.keys(kinds ?? {})) {
      if (!IDENT.test(name) || !wanted.has(name) || name in G) continue
      if (kinds[name] === 'function') {
        const fn = { [name]: function (...args) { return callRemote(name, args) } }[name]
        defineProperty(G, name, { value: fn, writable: true, configurable: true, enumerable: false })
      } else if (kinds[name] === 'data') {
        defineProperty(G, name, { value: decode(parse(C('get', name))), writable: true, configurable: true, enumerable: false })
      } else continue
      bound.push(name)
    }
    return stringify(bound)
  }
})()
