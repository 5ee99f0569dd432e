// c-realm.js: prelude of the solution's context (the "candidate realm"), run before the solution.
// Gives the solution console (captured, capped), require (assert only; fs/readline only as stdin shims),
// process.stdin/stdout/exit shims. Its completion value is the dispatcher the host (and the test realm)
// use; it takes and returns strings only, so no object of another realm ever enters this one.
//   dispatcher('names', json[names]) -> json{name: 'function'|'data'}: the host sends the identifiers of the
//     solution's own source (never the test's); globals the solution added are reported too

//   dispatcher('call', name, json[args]) -> tagged json of the return value, or {"$throw": [name, message]}
//   dispatcher('get', name) -> tagged json;  dispatcher('stdin', text);  dispatcher('drain');
//   dispatcher('limit', bytes);  dispatcher('output') -> '1' (overflowed) or '0', then the text written
/* global makeAssert */
(function () {
  'use strict'
  const G = globalThis
  // Off in the process's V8 flags too: shared memory (Atomics.wait/waitAsync) and WebAssembly (memory
  // outside the isolate's heap limit).
  delete G.SharedArrayBuffer
  delete G.Atomics
  delete G.WebAssembly
  const getOwnNames = Object.getOwnPropertyNames
  const indirectEval = G.eval
  const parse = JSON.parse
  const stringify = JSON.stringify
  const apply = Reflect.apply
  const ownKeys = Object.keys
  const isArray = Array.isArray
  const getProto = Object.getPrototypeOf
  const ObjectProto = Object.prototype
  const MapC = Map
  const SetC = Set
  const DateC = Date
  const ErrorC = Error
  const StringC = String
  const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/
  const out = { text: '', bytes: 0, overflow: false, limit: 1 << 20 }
  let stdinText = ''
  const handlers = { data: [], end: [], line: [], close: [] }

  function write (s) {
    s = StringC(s)
    if (out.overflow) throw new ErrorC('output limit exceeded')
    out.bytes += s.length
    if (out.bytes > out.limit) { out.overflow = true; throw new ErrorC('output limit exceeded') }
    out.text = out.text + s
  }
  const fmt = args => args.map(a => typeof a === 'string' ? a : (() => { try { return stringify(a) ?? StringC(a) } catch { return StringC(a) } })()).join(' ')
  const log = (...args) => write(fmt(args) + '\n')
  G.console = { log, info: log, debug: log, warn: log, error: log, trace: log, assert: (c, ...m) => { if (!c) write('Assertion failed' + (m.length ? ': ' + fmt(m) : '') + '\n') } }

  const assertModule = makeAssert()
  const stdinModule = fd => {
    if (fd === 0 || fd === '/dev/stdin') return { toString: () => stdinText, valueOf: () => stdinText, split: (...a) => stdinText.split(...a), trim: () => stdinText.trim(), length: stdinText.length }
    throw new ErrorC('no file system in the sandbox')
  }
  const fsModule = { readFileSync: (fd, enc) => enc ? stdinText : stdinModule(fd) }
  const readlineModule = {
    createInterface: () => {
      const rl = { on: (ev, cb) => { if (ev === 'line' || ev === 'close') handlers[ev].push(cb); return rl }, close: () => {}, question: () => {}, setPrompt: () => {}, prompt: () => {} }
      return rl
    }
  }
  G.require = name => {
    if (name === 'assert' || name === 'node:assert') return assertModule
    if (name === 'assert/strict' || name === 'node:assert/strict') return assertModule.strict
    if (name === 'fs' || name === 'node:fs') return fsModule
    if (name === 'readline' || name === 'node:readline') return readlineModule
    throw new ErrorC(`Cannot find module '${name}' (only assert is available in the sandbox)`)
  }
  const stdin = { on: (ev, cb) => { if (ev === 'data' || ev === 'end') handlers[ev].push(cb); return stdin }, setEncoding: () => stdin, resume: () => stdin, pause: () => stdin }
  G.process = { stdin, stdout: { write: s => { write(s); return true } }, stderr: { write: s => { write(s); return true } }, argv: ['node', 'solution.js'], env: {}, exit: code => { throw new ErrorC('__rv_exit:' + (code ?? 0)) } }

  function encode (v, depth) {
    if (depth > 200) throw new ErrorC('value nested too deeply')
    const t = typeof v
    if (v === null || t === 'boolean' || t === 'string') return v
    if (t === 'number') return v === v && v !== Infinity && v !== -Infinity ? v : { $num: StringC(v) } // eslint-disable-line no-self-compare
    if (t === 'undefined') return { $undef: 0 }
    if (t === 'bigint') return { $bigint: StringC(v) }
    if (t === 'function') return { $fn: StringC(v.name) }
    if (t === 'symbol') return { $sym: StringC(v.description) }
    const d = depth + 1
    if (isArray(v)) {
      const a = []
      for (let i = 0; i < v.length; i++) a.push(encode(v[i], d))
      return a
    }
    if (v instanceof MapC) return { $map: [...v].map(([k, x]) => [encode(k, d), encode(x, d)]) }
    if (v instanceof SetC) return { $set: [...v].map(x => encode(x, d)) }
    if (v instanceof DateC) return { $date: v.getTime() }
    const proto = getProto(v)
    const pairs = ownKeys(v).map(k => [k, encode(v[k], d)])
    return proto === ObjectProto || proto === null ? { $obj: pairs } : { $inst: pairs }
  }
  const encodeJson = v => stringify(encode(v, 0))
  function decode (x) {
    if (isArray(x)) return x.map(decode)
    if (x === null || typeof x !== 'object') return x
    if ('$obj' in x) { const o = {}; for (const [k, v] of x.$obj) o[k] = decode(v); return o }
    if ('$undef' in x) return undefined
    if ('$num' in x) return Number(x.$num)
    if ('$bigint' in x) return BigInt(x.$bigint)
    if ('$map' in x) return new MapC(x.$map.map(([k, v]) => [decode(k), decode(v)]))
    if ('$set' in x) return new SetC(x.$set.map(decode))
    if ('$date' in x) return new DateC(x.$date)
    throw new ErrorC('cannot pass this value into the solution')
  }
  // Names are resolved by the host's 'names' call (run in this context) and cached: an eval reached from
  // another context would not see this realm's global lexical bindings.
  const cache = new MapC()
  const lookup = name => {
    if (cache.has(name)) return cache.get(name)
    if (!IDENT.test(name)) throw new ErrorC('bad name')
    const v = indirectEval(name)
    cache.set(name, v)
    return v
  }
  // Words that are never an expression on their own (evaluating one alone is a SyntaxError: never a binding).
  const NOT_EXPR = new SetC(('break case catch class const continue debugger default delete do else enum export extends finally for ' +
    'function if import in instanceof new return super switch throw try typeof var void while with').split(' '))
  /**
   * Resolves many names with one indirect eval (one compile, no exception per unknown name) into the cache;
   * the same bindings as lookup() one by one, which is the fallback when the batch does not compile.
   * Returns the names found unbound (the caller skips them).
   */
  function lookupMany (names) {
    const unbound = new SetC()
    let src = ''
    const batch = []
    for (let i = 0; i < names.length; i++) {
      const n = names[i]
      if (cache.has(n) || NOT_EXPR.has(n) || !IDENT.test(n)) continue
      batch[batch.length] = n
      src += '(()=>{try{return[' + n + ']}catch{}})(),'
    }
    if (batch.length === 0) return unbound
    let got
    try { got = indirectEval('[' + src + ']') } catch { return unbound }
    for (let i = 0; i < batch.length; i++) { const r = got[i]; if (isArray(r)) cache.set(batch[i], r[0]); else unbound.add(batch[i]) }
    return unbound
  }
  function describe (e) {
    try {
      if (e !== null && typeof e === 'object') return [StringC(e.name ?? 'Error'), StringC(e.message ?? '')]
      return ['Error', StringC(e)]
    } catch { return ['Error', '(unprintable exception)'] }
  }
  function drain () {
    for (const cb of handlers.data) cb(stdinText)
    for (const cb of handlers.end) cb()
    if (handlers.line.length) {
      const lines = stdinText.split('\n')
      if (lines.length && lines[lines.length - 1] === '') lines.pop()
      for (const l of lines) for (const cb of handlers.line) cb(l.replace(/\r$/, ''))
    }
    for (const cb of handlers.close) cb()
  }

  const baseline = new SetC(getOwnNames(G)) // globals before the solution runs (console, require, process included)
  return function dispatch (op, a, b) {
    try {
      switch (op) {
        case 'names': {
          const res = {}
          const names = parse(a)
          const added = getOwnNames(G)
          for (let i = 0; i < added.length; i++) if (!baseline.has(added[i])) names[names.length] = added[i]
          const unbound = lookupMany(names)
          for (let i = 0; i < names.length; i++) {
            const n = names[i]
            if (NOT_EXPR.has(n) || unbound.has(n)) continue
            try { const v = lookup(n); res[n] = typeof v === 'function' ? 'function' : 'data' } catch {}
          }
          return stringify(res)
        }
        case 'call': {
          const dot = a.indexOf('.')
          const self = dot > 0 ? new (lookup(a.slice(0, dot)))() : undefined // 'Class.method': instantiate first
          const f = dot > 0 ? self[a.slice(dot + 1)] : lookup(a)
          if (typeof f !== 'function') return stringify({ $throw: ['TypeError', a + ' is not a function'] })
          const text = encodeJson(apply(f, self, parse(b).map(decode)))
          // checked here so that a huge value is never copied out of the isolate
          if (typeof text === 'string' && text.length > out.limit) return stringify({ $throw: ['Error', 'output limit exceeded'] })
          return text
        }
        case 'get': return encodeJson(lookup(a))
        case 'stdin': stdinText = StringC(a); return ''
        case 'drain': drain(); return ''
        case 'limit': out.limit = +a; return ''
        case 'output': return (out.overflow ? '1' : '0') + out.text
      }
      return stringify({ $throw: ['Error', 'unknown op'] })
    } catch (e) {
      return stringify({ $throw: describe(e) })
    }
  }
})()
