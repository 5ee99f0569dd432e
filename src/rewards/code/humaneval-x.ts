/**
 * HumanEval-X tests (C++, Java, Go, Rust) as `call` tests: every assertion of the test must be a literal call
 * of the task's function with a literal expected value (`assert (f({1.0, 2.0}, 0.3) == true);`, Java
 * `s.f(Arrays.asList(1, 2)).equals(Arrays.asList(2))`, Go `assert.Equal([]int{2}, F([]int{1}))`, Rust
 * `assert_eq!(f(vec![1]), vec![2]);`, `abs(f(x) - 0.5) < 1e-4` with its tolerance); anything else (loops,
 * random inputs, calls of other functions, computed expectations) makes the whole test unconvertible (null):
 * keep such a task as a cooperative script test. The expected values end up in the call test, which the host
 * compares outside the jail. Numbers keep their written spelling (lossless.ts), so `5.0` stays a float.
 */
import { parseLossless } from './lossless.ts'
import type { CallTests } from './schema.ts'

export type HeXLanguage = 'cpp' | 'java' | 'go' | 'rust'

interface Tok { t: 'num' | 'str' | 'chr' | 'id' | 'p' | 'nl', v: string }

class Unconvertible extends Error {}
const fail = (why: string): never => { throw new Unconvertible(why) }

const PUNCT = ['::', '==', '!=', '<=', '>=', '&&', '||', '->', '=>', ':=', '...']

function unescape (body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{1,2}|u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e.startsWith('u{')) return String.fromCodePoint(parseInt(e.slice(2, -1), 16))
    if (e[0] === 'x' || e[0] === 'u') return String.fromCodePoint(parseInt(e.slice(1), 16))
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8))
    return ({ n: '\n', t: '\t', r: '\r', 0: '\0', b: '\b', f: '\f', v: '\v', a: '\x07' } as Record<string, string>)[e] ?? e
  })
}

/** C-family tokens (comments dropped; `nl` tokens only where `lines` is set, for Go). */
function tokenize (src: string, lines = false): Tok[] {
  const out: Tok[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i] as string
    if (c === '\n') { if (lines) out.push({ t: 'nl', v: '\n' }); i++; continue }
    if (/\s/.test(c)) { i++; continue }
    if (src.startsWith('//', i)) { while (i < src.length && src[i] !== '\n') i++; continue }
    if (src.startsWith('/*', i)) { const e = src.indexOf('*/', i + 2); i = e < 0 ? src.length : e + 2; continue }
    if (c === '"' || c === '\'') {
      let j = i + 1
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1
      const v = unescape(src.slice(i + 1, j))
      out.push({ t: c === '"' ? 'str' : 'chr', v })
      i = j + 1
      continue
    }
    if (c === '`') { const e = src.indexOf('`', i + 1); out.push({ t: 'str', v: src.slice(i + 1, e) }); i = e + 1; continue }
    const num = /^(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)(?:[a-zA-Z]\w*)?/.exec(src.slice(i, i + 64))
    if (num !== null && /[\d.]/.test(c) && !(c === '.' && !/\d/.test(src[i + 1] ?? ''))) { out.push({ t: 'num', v: num[0] }); i += num[0].length; continue }
    const id = /^[A-Za-z_]\w*/.exec(src.slice(i, i + 256))
    if (id !== null) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue }
    const p = PUNCT.find(x => src.startsWith(x, i)) ?? c
    out.push({ t: 'p', v: p })
    i += p.length
  }
  return out
}

/** JSON text of a number token (suffixes such as f, L, i32, f64 dropped; hex to decimal), or null. */
function numberJson (tok: string, negative: boolean): string {
  let v = tok.replace(/_/g, '')
  if (/^0[xX]/.test(v)) return (negative ? '-' : '') + BigInt(v.replace(/[uUlL]+$/, '')).toString()
  const m = /^(\d*\.?\d*(?:[eE][+-]?\d+)?)([a-zA-Z]\w*)?$/.exec(v)
  if (m === null) return fail(`number ${tok}`)
  v = m[1] as string
  const suffix = m[2] ?? ''
  if (!/^(|[fFdDlLuU]+|[iu](8|16|32|64|128|size)|f32|f64)$/.test(suffix)) fail(`number suffix ${suffix}`)
  if (v.startsWith('.')) v = '0' + v
  if (v.endsWith('.')) v += '0'
  v = v.replace('.e', '.0e').replace('.E', '.0E')
  const isFloat = /^[fFdD]$/.test(suffix) || suffix.startsWith('f')
  if (isFloat && !/[.eE]/.test(v)) v += '.0'
  if (!/^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v)) fail(`number ${tok}`)
  return (negative ? '-' : '') + v.replace(/^0+(?=\d)/, '')
}

/** Every number of a JSON text written as a float (the comparison in the test was within a tolerance). */
function floatsOnly (json: string): string {
  return json.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, m => m.startsWith('"') || /[.eE]/.test(m) ? m : `${m}.0`)
}

interface Case { args: string, expected: string, tol?: number }

class P {
  i = 0
  constructor (readonly toks: Tok[], readonly lang: HeXLanguage, readonly fn: string, readonly vars: Map<string, string>) {}
  /** Java `x.isEmpty()`: what an empty return value of the function's declared type is. */
  emptyOf (): string {
    const r = this.vars.get(' returns') ?? ''
    return /^Optional\b/.test(r) ? 'null' : /^(List|ArrayList)\b/.test(r) ? '[]' : /^String\b/.test(r) ? '""' : fail('isEmpty')
  }

  peek (k = 0): Tok | undefined { return this.toks[this.i + k] }
  is (v: string, k = 0): boolean { const t = this.peek(k); return t !== undefined && (t.t === 'p' || t.t === 'id') && t.v === v }
  eat (v: string): boolean { if (this.is(v)) { this.i++; return true } return false }
  need (v: string): void { if (!this.eat(v)) fail(`expected ${v} at ${this.peek()?.v ?? 'end'}`) }
  done (): boolean { return this.i >= this.toks.length }

  /** Skips a balanced `<...>` (C++/Java/Rust generic arguments). */
  generics (): void {
    if (!this.eat('<')) return
    let depth = 1
    while (depth > 0 && !this.done()) {
      const v = this.toks[this.i++]?.v
      if (v === '<') depth++
      if (v === '>') depth--
      if (v === '>>') depth -= 2
    }
  }

  list (close: string, item: () => string = () => this.lit()): string[] {
    const out: string[] = []
    while (!this.eat(close)) {
      out.push(item())
      if (!this.eat(',')) { this.need(close); break }
    }
    return out
  }

  /** Go type before a composite literal: []T, [N]T, map[K]V, interface{} ... */
  goType (): void {
    for (;;) {
      if (this.eat('[')) { while (!this.eat(']')) this.i++; continue }
      if (this.eat('map')) { this.need('['); this.goType(); this.need(']'); continue }
      if (this.eat('interface')) { this.need('{'); this.need('}'); return }
      if (this.eat('*')) continue
      const t = this.peek()
      if (t?.t !== 'id') fail('go type')
      this.i++
      if (this.eat('.')) this.i++
      return
    }
  }

  mapEntries (close: string, sep: string): string {
    const parts = this.list(close, () => { const k = this.lit(); this.need(sep); return `${keyJson(k)}:${this.lit()}` })
    return `{${parts.join(',')}}`
  }

  /** A literal value as JSON text. */
  lit (): string {
    const t = this.peek()
    if (t === undefined) return fail('end of input')
    if (t.t === 'p' && (t.v === '-' || t.v === '+') && this.peek(1)?.t === 'num') { this.i += 2; return this.fold(numberJson(this.toks[this.i - 1]?.v ?? '', t.v === '-')) }
    if (t.t === 'num') { this.i++; return this.fold(numberJson(t.v, false)) }
    if (t.t === 'chr' && this.lang === 'go') { this.i++; return this.fold(String(t.v.codePointAt(0) ?? 0)) } // a Go rune is a number
    if (t.t === 'str' || t.t === 'chr') {
      this.i++
      let s = t.v
      while (t.t === 'str' && this.peek()?.t === 'str') s += this.toks[this.i++]?.v ?? ''
      const json = JSON.stringify(s)
      if (this.lang === 'rust' && (this.is('.') && (this.is('to_string', 1) || this.is('to_owned', 1) || this.is('into', 1)))) { this.i += 2; this.need('('); this.need(')') }
      return json
    }
    if (t.t === 'p' && t.v === '(' && this.lang === 'rust') { this.i++; const items = this.list(')'); return items.length === 1 ? items[0] as string : `[${items.join(',')}]` }
    if (t.t === 'p' && t.v === '(') { this.i++; const v = this.lit(); this.need(')'); return v }
    if (t.t === 'p' && t.v === '&' && this.lang === 'rust') { this.i++; return this.lit() }
    if (t.t === 'p' && t.v === '{' && this.lang === 'cpp') { this.i++; return `[${this.list('}').join(',')}]` }
    if (t.t === 'p' && t.v === '[' && this.lang === 'rust') { this.i++; return `[${this.list(']').join(',')}]` }
    if (t.t === 'p' && t.v === '[' && this.lang === 'go') { this.goType(); this.need('{'); return `[${this.list('}', () => this.goElem()).join(',')}]` }
    if (t.t !== 'id') return fail(`literal at ${t.v}`)
    if (t.v === 'true' || t.v === 'false') { this.i++; return t.v }
    const v = this.vars.get(t.v)
    if (v !== undefined && !this.is('(', 1) && !this.is('.', 1) && !this.is('::', 1)) { this.i++; return v }
    return this.named(t.v)
  }

  /** Integer constant arithmetic (`5 * 17`, `10 - 3`): folded exactly; with floats, Unconvertible. */
  fold (left: string): string {
    let v = left
    while ((this.is('*') || this.is('+') || this.is('-') || this.is('/') || this.is('%')) && this.peek(1)?.t === 'num') {
      const op = this.peek()?.v
      this.i++
      const r = numberJson(this.toks[this.i++]?.v ?? '', false)
      if (/[.eE]/.test(v) || /[.eE]/.test(r)) fail('float arithmetic')
      if ((op === '+' || op === '-') && (this.is('*') || this.is('/') || this.is('%'))) fail('precedence')
      const a = BigInt(v)
      const b = BigInt(r)
      if ((op === '/' || op === '%') && b === 0n) fail('division by zero')
      v = String(op === '*' ? a * b : op === '+' ? a + b : op === '-' ? a - b : op === '/' ? a / b : a % b)
    }
    return v
  }

  /** Go: an element of a composite literal may omit its type (`{1, 2}` inside [][]int{...}). */
  goElem (): string {
    if (this.is('{')) { this.i++; return `[${this.list('}', () => this.goElem()).join(',')}]` }
    return this.lit()
  }

  /** Literals that start with a name: constructors and factory calls. */
  named (name: string): string {
    this.i++
    const l = this.lang
    if (l === 'cpp') {
      if (this.eat('::')) { return this.named(this.peek()?.v ?? fail('name')) }
      if (name === 'vector' || name === 'string') {
        this.generics()
        if (this.eat('{')) return `[${this.list('}').join(',')}]`
        this.need('(')
        if (this.eat(')')) return name === 'string' ? '""' : '[]'
        const v = this.lit()
        this.need(')')
        return v
      }
    }
    if (l === 'java') {
      if (name === 'Arrays' || name === 'List' || name === 'Set') {
        this.need('.'); const f = this.peek()?.v; this.i++
        if (f !== 'asList' && f !== 'of') fail(`${name}.${f ?? ''}`)
        this.need('(')
        const items = this.list(')')
        return name === 'Set' ? fail('set literal') : `[${items.join(',')}]`
      }
      if (name === 'Map') { this.need('.'); if (!this.eat('of')) fail('Map'); this.need('('); const kv = this.list(')'); return pairsToObject(kv) }
      if (name === 'Optional') { this.need('.'); if (this.eat('empty')) { this.need('('); this.need(')'); return 'null' } this.need('of'); this.need('('); const v = this.lit(); this.need(')'); return v }
      if (name === 'new') {
        const cls = this.peek()?.v ?? ''
        this.i++
        this.generics()
        if (this.eat('[')) { this.need(']'); this.need('{'); return `[${this.list('}').join(',')}]` }
        if (!/^(ArrayList|LinkedList|HashMap|TreeMap|LinkedHashMap)$/.test(cls)) fail(`new ${cls}`)
        this.need('(')
        if (this.eat(')')) return cls.endsWith('Map') ? '{}' : '[]'
        const v = this.lit()
        this.need(')')
        return v
      }
      if (/^(Integer|Double|Long|Float|String|Boolean|Character)$/.test(name) && this.eat('.')) {
        if (!this.eat('valueOf')) fail('valueOf'); this.need('('); const v = this.lit(); this.need(')'); return v
      }
    }
    if (l === 'go') {
      if (name === 'map') { this.need('['); this.goType(); this.need(']'); this.goType(); this.need('{'); return this.mapEntries('}', ':') }
      if (/^(float64|float32|int|int64|int32|string|rune|byte)$/.test(name) && this.eat('(')) { const v = this.lit(); this.need(')'); return v }
      if (name === 'nil') return 'null'
    }
    if (l === 'rust') {
      if (name === 'vec') { this.need('!'); this.need('['); return `[${this.list(']').join(',')}]` }
      if (name === 'String' && this.eat('::')) { if (!this.eat('from') && !this.eat('new')) fail('String::'); this.need('('); if (this.eat(')')) return '""'; const v = this.lit(); this.need(')'); return v }
      if (name === 'Some') { this.need('('); const v = this.lit(); this.need(')'); return v }
      if (name === 'None') return 'null'
      if (name === 'Vec' && this.eat('::')) { this.need('new'); this.need('('); this.need(')'); return '[]' }
    }
    return fail(`name ${name}`)
  }
}

function keyJson (k: string): string {
  const v = JSON.parse(k) as unknown
  return typeof v === 'string' ? k : JSON.stringify(String(k))
}

function pairsToObject (kv: string[]): string {
  if (kv.length % 2 !== 0) fail('Map.of')
  const parts: string[] = []
  for (let i = 0; i < kv.length; i += 2) parts.push(`${keyJson(kv[i] as string)}:${kv[i + 1] as string}`)
  return `{${parts.join(',')}}`
}

/** Splits tokens at top-level `sep` tokens. */
function split (toks: Tok[], sep: string, afterBlock = false): Tok[][] {
  const out: Tok[][] = [[]]
  let depth = 0
  for (const t of toks) {
    if (t.t === 'p' && '([{'.includes(t.v)) depth++
    if (t.t === 'p' && ')]}'.includes(t.v)) depth--
    if (depth === 0 && (t.t === 'p' || t.t === 'nl') && t.v === sep) { out.push([]); continue }
    out[out.length - 1]?.push(t)
    if (afterBlock && depth === 0 && t.t === 'p' && t.v === '}') out.push([])
  }
  return out.filter(s => s.length > 0)
}

/** The tokens between the `{` at or after index `from` and its matching `}`. */
function block (toks: Tok[], from: number): { body: Tok[], end: number } {
  let i = from
  while (i < toks.length && !(toks[i]?.t === 'p' && toks[i]?.v === '{')) i++
  const start = i + 1
  let depth = 0
  for (; i < toks.length; i++) {
    const v = toks[i]
    if (v?.t !== 'p') continue
    if (v.v === '{') depth++
    if (v.v === '}' && --depth === 0) return { body: toks.slice(start, i), end: i + 1 }
  }
  return fail('unbalanced block')
}

/** `fn(args)` (Java: `s.fn(args)`) at the parser's position: the arguments as a JSON array text. */
function call (p: P): string {
  if (p.lang === 'java') { if (!(p.peek()?.t === 'id' && p.is('.', 1))) fail('java receiver'); p.i += 2 }
  if (!p.is(p.fn)) fail(`call of ${p.peek()?.v ?? 'nothing'}`)
  p.i++
  p.need('(')
  const args = `[${p.list(')').join(',')}]`
  if (p.lang === 'java' && p.is('.') && p.is('get', 1) && p.is('(', 2) && p.is(')', 3)) p.i += 4 // Optional.get(): the driver reports the value
  return args
}

const ABS = new Set(['abs', 'fabs', 'fabsf', 'std', 'Math', 'math'])

/** A boolean assertion over tokens → one case, or Unconvertible. */
function assertion (toks: Tok[], lang: HeXLanguage, fn: string, vars: Map<string, string>): Case {
  // C++ `assert (x && "message")`
  if (toks.length >= 2 && toks[toks.length - 1]?.t === 'str' && toks[toks.length - 2]?.v === '&&') toks = toks.slice(0, -2)
  const p = new P(toks, lang, fn, vars)
  const end = (c: Case): Case => { if (!p.done()) fail(`trailing ${p.peek()?.v ?? ''}`); return c }
  if (p.is('(') && block2(toks)) return assertion(toks.slice(1, -1), lang, fn, vars)
  if (p.eat('!') || p.eat('not')) { const args = call(p); return end({ args, expected: 'false' }) }
  const first = p.peek()
  // issame(call, lit) / issame(lit, call); Objects.equals(call, lit)
  if (first?.t === 'id' && (first.v === 'issame' || (first.v === 'Objects' && p.is('equals', 2)))) {
    p.i += first.v === 'Objects' ? 3 : 1
    p.need('(')
    let args: string, expected: string
    if (p.is(fn) || (lang === 'java' && p.is(fn, 2))) { args = call(p); p.need(','); expected = p.lit() } else { expected = p.lit(); p.need(','); args = call(p) }
    p.need(')')
    return end({ args, expected })
  }
  // abs(call - lit) < tol, Math.abs(...), (call - lit).abs() < tol
  if (first?.t === 'id' && ABS.has(first.v)) {
    if (!p.eat('abs') && !p.eat('fabs') && !p.eat('fabsf')) { p.i++; p.need(first.v === 'std' ? '::' : '.'); if (!p.eat('abs') && !p.eat('Abs') && !p.eat('fabs')) fail('abs') }
    p.need('(')
    return end(tolerant(p, ')'))
  }
  if (lang === 'rust' && p.is('(')) {
    p.i++
    const c = tolerant(p, ')', false)
    p.need('.'); p.need('abs'); p.need('('); p.need(')')
    return end(withTol(p, c))
  }
  if (lang === 'cpp' || lang === 'rust' || lang === 'go' || lang === 'java') {
    // call == lit, lit == call, call.equals(lit), bare call
    if (p.is(fn) || (lang === 'java' && p.is(fn, 2))) {
      const args = call(p)
      if (p.done()) return { args, expected: 'true' }
      if (lang === 'java' && p.eat('.')) {
        if (p.eat('isEmpty')) { p.need('('); p.need(')'); return end({ args, expected: p.emptyOf() }) }
        p.need('equals'); p.need('('); const expected = p.lit(); p.need(')'); return end({ args, expected })
      }
      p.need('==')
      return end({ args, expected: p.lit() })
    }
    const expected = p.lit()
    if (lang === 'java' && p.eat('.')) { p.need('equals'); p.need('('); const args = call(p); p.need(')'); return end({ args, expected }) }
    p.need('==')
    return end({ args: call(p), expected })
  }
  return fail('assertion')
}

/** Does the parenthesis opening `toks` close at its last token? */
function block2 (toks: Tok[]): boolean {
  let depth = 0
  for (let i = 0; i < toks.length; i++) {
    const v = toks[i]?.v
    if (toks[i]?.t !== 'p') continue
    if (v === '(') depth++
    if (v === ')' && --depth === 0) return i === toks.length - 1
  }
  return false
}

/** `call - lit <close>` (or `lit - call`), then `< tol` when `tail`. */
function tolerant (p: P, close: string, tail = true): Case {
  let args: string, expected: string
  if (p.is(p.fn) || (p.lang === 'java' && p.is(p.fn, 2))) { args = call(p); p.need('-'); expected = p.lit() } else { expected = p.lit(); p.need('-'); args = call(p) }
  p.need(close)
  const c = { args, expected: floatsOnly(expected) }
  return tail ? withTol(p, c) : c
}

function withTol (p: P, c: Case): Case {
  if (!p.eat('<') && !p.eat('<=')) fail('tolerance')
  const t = p.peek()
  if (t?.t !== 'num') return fail('tolerance')
  p.i++
  return { ...c, tol: Number(numberJson(t.v, false)) }
}

/** `T name = lit` / `let name = lit` / `name := lit`: remembered for later arguments; else Unconvertible. */
function declaration (toks: Tok[], lang: HeXLanguage, fn: string, vars: Map<string, string>): void {
  const eq = toks.findIndex(t => t.t === 'p' && (t.v === '=' || t.v === ':='))
  const name = toks[eq - 1]
  if (eq < 1 || name?.t !== 'id') fail('statement')
  if (toks.slice(0, eq).some(t => t.t === 'id' && t.v === fn)) fail('statement')
  const p = new P(toks.slice(eq + 1), lang, fn, vars)
  const v = p.lit()
  if (!p.done()) fail('declaration')
  vars.set(name?.v ?? '', v)
}

/** C++ brace literals say nothing of maps: for a function returning a map, `{{k, v}, ...}` is an object. */
function cppMapExpected (c: Case, declaration: string, fn: string): Case {
  const ret = new RegExp(`([\\w:<>, ]+?)\\s*\\b${fn}\\s*\\(`).exec(declaration)?.[1]?.trim() ?? ''
  if (!/^(std::)?(unordered_)?map\s*</.test(ret)) return c
  const pairs = JSON.parse(c.expected) as unknown
  if (!Array.isArray(pairs) || !pairs.every(p => Array.isArray(p) && p.length === 2 && (typeof p[0] === 'string' || Number.isInteger(p[0])))) return fail('map literal')
  return { ...c, expected: `{${(pairs as Array<[unknown, unknown]>).map(([k, v]) => `${JSON.stringify(String(k))}:${JSON.stringify(v)}`).join(',')}}` }
}

function cppCases (test: string, fn: string, decl: string): Case[] {
  // parameter types the driver cannot build from JSON (boost::any lists)
  if (/\bboost::any\b|\blist_any\b/.test(decl)) fail('boost::any parameters')
  const toks = tokenize(test.replace(/^\s*#.*$/gm, ''))
  const main = toks.findIndex((t, i) => t.v === 'main' && toks[i + 1]?.v === '(')
  if (main < 0) fail('no main')
  const vars = new Map<string, string>()
  const cases: Case[] = []
  // an `issame` helper that compares within a tolerance (`abs(a[i]-b[i])>1e-4`): its cases do too
  const helper = toks.slice(0, main)
  const abs = helper.findIndex(t => t.v === 'abs' || t.v === 'fabs')
  const tolTok = abs < 0 ? undefined : helper.slice(abs).find(t => t.t === 'num' && /[.eE]/.test(t.v))
  for (const st of split(block(toks, main).body, ';')) {
    if (st[0]?.v !== 'assert') { declaration(st, 'cpp', fn, vars); continue }
    const c = assertion(st.slice(2, -1), 'cpp', fn, vars)
    const viaHelper = st[2]?.v === 'issame'
    cases.push(cppMapExpected(viaHelper && tolTok !== undefined ? { ...c, expected: floatsOnly(c.expected), tol: Number(numberJson(tolTok.v, false)) } : c, decl, fn))
  }
  return cases
}

function javaCases (test: string, fn: string, declaration: string): Case[] {
  const toks = tokenize(test)
  const main = toks.findIndex((t, i) => t.v === 'main' && toks[i + 1]?.v === '(')
  if (main < 0) fail('no main')
  const vars = new Map<string, string>()
  vars.set(' returns', new RegExp(`public\\s+(.*?)\\s+${fn}\\s*\\(`).exec(declaration)?.[1] ?? '')
  const cases: Case[] = []
  for (const st of split(block(toks, main).body, ';', true)) {
    const s = st.map(t => t.v).join(' ')
    if (/^Solution \w+ = new Solution \( \)$/.test(s)) continue
    if (st[0]?.v === 'List' && st.some(t => t.v === 'asList')) {
      const at = st.findIndex(t => t.v === 'asList')
      for (const e of split(st.slice(at + 2, -1), ',')) cases.push(assertion(e, 'java', fn, vars))
      continue
    }
    if (st[0]?.v === 'if') {
      if (/^if \( correct \. contains \( false \) \) \{ throw new AssertionError \( \) ;? \}$/.test(s)) continue
      // if (!(cond)) { throw new AssertionError(); }
      const close = st.findIndex(t => t.v === '{')
      const cond = st.slice(2, close - 1)
      if (cond[0]?.v !== '!') fail('if')
      cases.push(assertion(cond.slice(1), 'java', fn, vars))
      continue
    }
    if (s === '}') continue
    fail(`statement ${s.slice(0, 40)}`)
  }
  return cases
}

function goCases (test: string, fn: string, decl: string): Case[] {
  const toks = tokenize(test, true)
  // a rune inside interface{} keeps its type (int32) there; as JSON it would be a plain int (Go/22)
  if (decl.includes('interface{}') && toks.some(t => t.t === 'chr')) fail('rune in an interface{} value')
  const at = toks.findIndex(t => t.v === 'func')
  const vars = new Map<string, string>()
  const cases: Case[] = []
  for (const st of split(block(toks, at).body, '\n')) {
    const s = st.map(t => t.v).join(' ')
    if (s === 'assert := assert . New ( t )') continue
    if (st[0]?.v === 'assert' && st[1]?.v === '.' && st[2]?.v === 'Equal') {
      const parts = split(st.slice(4, -1), ',')
      if (parts.length !== 2) fail('assert.Equal')
      const [exp, got] = parts as [Tok[], Tok[]]
      if (exp.length === 1 && exp[0]?.v === 'true') { cases.push(assertion(got, 'go', fn, vars)); continue }
      if (exp.length === 1 && exp[0]?.v === 'false') { const c = assertion(got, 'go', fn, vars); if (c.expected !== 'true') fail('false'); cases.push({ ...c, expected: 'false' }); continue }
      const p = new P(exp, 'go', fn, vars)
      const expected = p.lit()
      if (!p.done()) fail('expected')
      const q = new P(got, 'go', fn, vars)
      const args = call(q)
      if (!q.done()) fail('call')
      cases.push({ args, expected })
      continue
    }
    if (st.some(t => t.v === ':=')) { declaration(st, 'go', fn, vars); continue }
    fail(`statement ${s.slice(0, 40)}`)
  }
  return cases
}

function rustCases (test: string, fn: string, _declaration: string): Case[] {
  const toks = tokenize(test)
  const vars = new Map<string, string>()
  const cases: Case[] = []
  let i = 0
  let tests = 0
  while ((i = toks.findIndex((t, k) => k >= i && t.v === 'fn')) >= 0) {
    const b = block(toks, i)
    tests++
    for (const st of split(b.body, ';')) {
      const head = st.slice(0, 2).map(t => t.v).join('')
      if (head === 'assert_eq!' || head === 'assert!') {
        const inner = st.slice(3, -1)
        if (head === 'assert!') { cases.push(assertion(inner, 'rust', fn, vars)); continue }
        const parts = split(inner, ',')
        if (parts.length !== 2) fail('assert_eq!')
        cases.push(assertion([...parts[0] as Tok[], { t: 'p', v: '==' }, ...parts[1] as Tok[]], 'rust', fn, vars))
        continue
      }
      if (st[0]?.v === 'let') { declaration(st.slice(1), 'rust', fn, vars); continue }
      fail('statement')
    }
    i = b.end
  }
  if (tests === 0) fail('no test function')
  return cases
}

/** The task's function: the last `name(` of its declaration. */
export function entryOf (declaration: string): string | null {
  const all = [...declaration.matchAll(/([A-Za-z_]\w*)\s*\(/g)]
  return all.at(-1)?.[1] ?? null
}

export interface HeXConversion { tests: CallTests | null, reason?: string }

/** The call test of a HumanEval-X row's `test` code, or null (with the reason) when any assertion is not a literal call. */
export function humanevalXCallTests (language: HeXLanguage, test: string, declaration: string): HeXConversion {
  const fn = entryOf(declaration)
  if (fn === null) return { tests: null, reason: 'no function in the declaration' }
  try {
    const cases = { cpp: cppCases, java: javaCases, go: goCases, rust: rustCases }[language](test, fn, declaration)
    if (cases.length === 0) return { tests: null, reason: 'no assertions' }
    const tols = cases.map(c => c.tol).filter((t): t is number => t !== undefined)
    const tol = tols.length > 0 ? `,"float_tolerance":${Math.min(1, Math.max(...tols))}` : ''
    const json = `{"type":"call","function":${JSON.stringify(language === 'java' ? `Solution.${fn}` : fn)}${tol},"cases":[${cases.map(c => `{"args":${c.args},"expected":${c.expected}}`).join(',')}]}`
    return { tests: parseLossless(json) as CallTests }
  } catch (err) {
    if (err instanceof Unconvertible || err instanceof SyntaxError || err instanceof RangeError) return { tests: null, reason: err.message }
    throw err
  }
}
