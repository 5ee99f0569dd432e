/** Recursive-descent parser from tokens to the expression form of ast.ts (LaTeX and plain text alike). */
import { fn, num, sym, type Node } from './ast.ts'
import type { Tok } from './lexer.ts'
import { parseDecimal, rat, ResourceError, add as radd } from './rational.ts'

const MAX_DEPTH = 120
const REL: Record<string, string> = {
  '=': '=',
  lt: '<',
  gt: '>',
  le: '<=',
  ge: '>=',
  ne: '!=',
  leq: '<=',
  geq: '>=',
  leqslant: '<=',
  geqslant: '>=',
  neq: '!=',
  approx: '≈',
  simeq: '≈',
  equiv: '=',
  in: 'in',
  to: '=',
  rightarrow: '=',
  Rightarrow: '='
}
const FUNCS = new Set(['sin', 'cos', 'tan', 'sec', 'csc', 'cot', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh',
  'tanh', 'ln', 'log', 'exp', 'abs', 'gcd', 'lcm', 'max', 'min', 'det', 'arcsec', 'arccsc', 'arccot', 'lg'])
const GREEK = new Set(['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta',
  'vartheta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'varphi',
  'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Phi', 'Psi', 'Omega', 'ell'])
/** Single letters read as functions when followed by "(": f(x), g(2), P(x), W(n). */
const FUNC_LETTERS = /^[fghFGHPQWRST]$/

export class ParseError extends Error {}

export function parseTokens (toks: Tok[]): Node {
  const p = new Parser(toks)
  const n = p.top()
  if (p.pos < toks.length) throw new ParseError(`unexpected ${toks[p.pos]?.s ?? '?'}`)
  return n
}

class Parser {
  pos = 0
  depth = 0
  absDepth = 0
  constructor (readonly toks: Tok[]) {}

  peek (o = 0): Tok | undefined { return this.toks[this.pos + o] }
  isOp (s: string, o = 0): boolean { const t = this.peek(o); return t?.t === 'op' && t.s === s }
  isCmd (s: string, o = 0): boolean { const t = this.peek(o); return t?.t === 'cmd' && t.s === s }
  take (): Tok {
    const t = this.toks[this.pos++]
    if (t === undefined) throw new ParseError('unexpected end')
    return t
  }

  expectOp (s: string): void {
    if (!this.isOp(s)) throw new ParseError(`expected ${s}`)
    this.pos++
  }

  enter (): void { if (++this.depth > MAX_DEPTH) throw new ResourceError('nesting too deep') }

  top (): Node {
    const groups: Node[] = [this.commaList()]
    while (this.isOp(';')) {
      this.pos++
      if (this.pos >= this.toks.length) break
      groups.push(this.commaList())
    }
    return groups.length === 1 ? groups[0] as Node : { k: 'seq', open: '', close: '', items: groups }
  }

  atEnd (): boolean {
    const t = this.peek()
    return t === undefined || (t.t === 'op' && [')', ']', '}', '\\}', ';', '&', '\\\\'].includes(t.s)) || (t.t === 'op' && t.s === '|' && this.absDepth > 0) ||
      (t.t === 'cmd' && ['end', 'rangle', 'rfloor', 'rceil'].includes(t.s))
  }

  commaList (): Node {
    const items: Node[] = []
    while (this.isOp(',')) this.pos++
    if (this.atEnd()) return { k: 'seq', open: '', close: '', items }
    items.push(this.rel())
    while (this.isOp(',')) {
      while (this.isOp(',')) this.pos++
      if (this.atEnd()) break
      items.push(this.rel())
    }
    return items.length === 1 ? items[0] as Node : { k: 'seq', open: '', close: '', items }
  }

  relOp (): string | null {
    const t = this.peek()
    if (t === undefined) return null
    if (t.t === 'op') return REL[t.s] ?? null
    if (t.t === 'cmd') return REL[t.s] ?? (t.s === 'le' ? '<=' : t.s === 'ge' ? '>=' : t.s === 'ne' ? '!=' : null)
    return null
  }

  rel (): Node {
    const args = [this.union()]
    const ops: string[] = []
    for (let op = this.relOp(); op !== null; op = this.relOp()) {
      this.pos++
      ops.push(op)
      args.push(this.union())
    }
    return ops.length === 0 ? args[0] as Node : { k: 'rel', ops, args }
  }

  union (): Node {
    const args = [this.ratio()]
    while (this.isCmd('cup') || this.isCmd('cap') || this.isCmd('setminus')) {
      if (!this.isCmd('cup')) throw new ParseError('only unions are supported')
      this.pos++
      args.push(this.ratio())
    }
    return args.length === 1 ? args[0] as Node : { k: 'union', args }
  }

  ratio (): Node {
    const args = [this.additive()]
    while (this.isOp(':') && !this.atEndAfter(1)) {
      this.pos++
      args.push(this.additive())
    }
    return args.length === 1 ? args[0] as Node : { k: 'ratio', args }
  }

  atEndAfter (o: number): boolean { return this.peek(o) === undefined }

  additive (): Node {
    let terms: Node[] = [this.unary()]
    for (;;) {
      if (this.isOp('+')) { this.pos++; terms.push(this.unary()) } else if (this.isOp('-')) { this.pos++; terms.push({ k: 'neg', a: this.unary() }) } else if (this.isCmd('pm') || this.isCmd('mp')) {
        const sign = this.take().s === 'pm' ? 1 : -1
        const a: Node = terms.length === 1 ? terms[0] as Node : { k: 'add', args: terms }
        terms = [{ k: 'pm', a, b: this.unary(), sign }]
      } else break
    }
    return terms.length === 1 ? terms[0] as Node : { k: 'add', args: terms }
  }

  unary (): Node {
    this.enter()
    try {
      if (this.isOp('-')) { this.pos++; return { k: 'neg', a: this.unary() } }
      if (this.isOp('+')) { this.pos++; return this.unary() }
      if (this.isCmd('pm') || this.isCmd('mp')) {
        const sign = this.take().s === 'pm' ? 1 : -1
        return { k: 'pm', a: null, b: this.unary(), sign }
      }
      return this.multiplicative()
    } finally { this.depth-- }
  }

  multiplicative (): Node {
    let left = this.power()
    for (;;) {
      const t = this.peek()
      if (t === undefined) break
      if ((t.t === 'op' && (t.s === '*' || t.s === '/')) || (t.t === 'cmd' && ['cdot', 'times', 'div', 'ast'].includes(t.s))) {
        this.pos++
        const right = this.power(true)
        left = t.s === '/' || t.s === 'div' ? { k: 'div', a: left, b: right } : mulOf(left, right)
        continue
      }
      if (this.startsAtom()) {
        const mixed = this.mixedNumber(left)
        if (mixed !== null) { left = mixed; continue }
        left = mulOf(left, this.power())
        continue
      }
      break
    }
    return left
  }

  /** 7 3/4 (plain) and 7\frac34 (LaTeX) are mixed numbers when the whole part is a bare integer. */
  mixedNumber (left: Node): Node | null {
    if (left.k !== 'num' || left.places !== undefined || left.v.d !== 1n || left.v.n < 0n) return null
    const t = this.peek()
    let fracTokens = 0
    let a: string | undefined
    let b: string | undefined
    if (t?.t === 'num' && t.sp && this.isOp('/', 1) && this.peek(2)?.t === 'num') {
      a = t.s; b = this.peek(2)?.s; fracTokens = 3
    } else if (t?.t === 'cmd' && t.s === 'frac') {
      const m = this.simpleFrac()
      if (m === null) return null
      ;[a, b, fracTokens] = m
    } else return null
    if (a === undefined || b === undefined || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return null
    const after = this.peek(fracTokens)
    if (after !== undefined && !(after.t === 'op' && [',', ')', ']', ';', '}', '=', '%'].includes(after.s)) && !(after.t === 'cmd' && after.s === 'deg')) return null
    const fa = BigInt(a)
    const fb = BigInt(b)
    if (fb === 0n || fa >= fb) return null
    this.pos += fracTokens
    return num(radd(left.v, rat(fa, fb)))
  }

  /** Looks ahead at \frac{12}{5} or \frac34: [numerator, denominator, tokens used]. */
  simpleFrac (): [string, string, number] | null {
    const ts = this.toks.slice(this.pos, this.pos + 8)
    const braced = ts[1]?.t === 'op' && ts[1].s === '{' && ts[2]?.t === 'num' && ts[3]?.t === 'op' && ts[3].s === '}'
    if (braced && ts[4]?.t === 'op' && ts[4].s === '{' && ts[5]?.t === 'num' && ts[6]?.t === 'op' && ts[6].s === '}') return [ts[2]?.s ?? '', ts[5]?.s ?? '', 7]
    if (ts[1]?.t === 'num' && ts[1].s.length === 2 && /^\d\d$/.test(ts[1].s)) return [ts[1].s[0] ?? '', ts[1].s[1] ?? '', 2]
    return null
  }

  startsAtom (): boolean {
    const t = this.peek()
    if (t === undefined) return false
    if (t.t === 'num' || t.t === 'id') return true
    if (t.t === 'op') return t.s === '(' || t.s === '{'
    if (t.t === 'cmd') {
      return !['cdot', 'times', 'div', 'pm', 'mp', 'cup', 'cap', 'setminus', 'end', 'deg', 'rangle', 'rfloor', 'rceil', 'ast', 'mid', 'pmod', 'bmod', 'mod', 'quad'].includes(t.s) &&
        REL[t.s] === undefined && !['le', 'ge', 'ne'].includes(t.s)
    }
    return false
  }

  /** Power and postfix marks; noImplicit: the right operand of "/" or "*" takes no implicit product. */
  power (_noImplicit = false): Node {
    this.enter()
    try {
      if (this.isOp('-')) { this.pos++; return { k: 'neg', a: this.power() } }
      let base = this.postfix(this.atom())
      if (this.isOp('^')) {
        this.pos++
        const e = this.exponent()
        base = this.postfix({ k: 'pow', a: base, b: e })
      }
      return base
    } finally { this.depth-- }
  }

  exponent (): Node {
    if (this.isOp('{')) return this.group()
    if (this.isOp('-')) { this.pos++; return { k: 'neg', a: this.exponent() } }
    if (this.isOp('+')) { this.pos++; return this.exponent() }
    const a = this.atom()
    if (this.isOp('^')) { this.pos++; return { k: 'pow', a, b: this.exponent() } }
    return a
  }

  postfix (n: Node): Node {
    for (;;) {
      if (this.isOp('!')) { this.pos++; n = fn('fact', n) } else if (this.isOp('%')) { this.pos++; n = { k: 'pct', a: n } } else if (this.isCmd('deg')) { this.pos++; n = { k: 'deg', a: n } } else if (this.isOp("'")) { this.pos++; n = n.k === 'sym' ? sym(n.name + "'") : n } else break
    }
    return n
  }

  /** A LaTeX argument: {group} or one token (a single digit of a number: \frac12). */
  arg (): Node {
    const t = this.peek()
    if (t?.t === 'op' && t.s === '{') return this.group()
    if (t?.t === 'num' && t.s.length > 1 && /^\d+$/.test(t.s)) {
      this.toks.splice(this.pos, 1, { t: 'num', s: t.s[0] ?? '', sp: t.sp }, { t: 'num', s: t.s.slice(1), sp: false })
    }
    return this.power()
  }

  group (): Node {
    this.expectOp('{')
    this.enter()
    const n = this.top()
    this.depth--
    this.expectOp('}')
    return n
  }

  atom (): Node {
    this.enter()
    try { return this.atomInner() } finally { this.depth-- }
  }

  atomInner (): Node {
    const t = this.take()
    if (t.t === 'num') return this.number(t)
    if (t.t === 'id') return this.identifier(t.s)
    if (t.t === 'op') {
      if (t.s === '(' || t.s === '[') return this.bracket(t.s)
      if (t.s === '{') { this.pos--; return this.group() }
      if (t.s === '\\{') return this.setLiteral()
      if (t.s === '|') {
        this.absDepth++
        const a = this.additive()
        this.absDepth--
        this.expectOp('|')
        return fn('abs', a)
      }
      throw new ParseError(`unexpected ${t.s}`)
    }
    if (t.t === 'cmd') return this.command(t.s)
    throw new ParseError(`unexpected ${t.s}`)
  }

  number (t: Tok & { t: 'num' }): Node {
    let s = t.s
    if (s.endsWith('.')) s = s.slice(0, -1)
    const places = s.includes('.') ? s.length - s.indexOf('.') - 1 : undefined
    let v = parseDecimal(s)
    if ('rep' in t && t.rep !== undefined && t.rep.length > 0) {
      // x.ab\overline{cd} = x.ab + 0.00cd repeating
      const rep = BigInt(t.rep)
      const scale = 10n ** BigInt(places ?? 0)
      const cycle = 10n ** BigInt(t.rep.length) - 1n
      v = radd(v, rat(rep, scale * cycle))
      return num(v)
    }
    if (this.isOp('_') && places === undefined) {
      const save = this.pos
      this.pos++
      const b = this.arg()
      if (b.k === 'num' && b.v.d === 1n && b.v.n >= 2n && b.v.n <= 36n) return { k: 'base', digits: s, base: Number(b.v.n) }
      this.pos = save
    }
    return num(v, places)
  }

  identifier (name: string): Node {
    let full = name
    if (this.isOp('_')) {
      this.pos++
      const t = this.peek()
      if (t?.t === 'op' && t.s === '{') {
        const start = this.pos
        const inner = this.group()
        const simple = this.toks.slice(start + 1, this.pos - 1).every(x => x.t === 'num' || x.t === 'id')
        if (!simple) return this.maybeCall(fn('idx:' + name, inner))
        full = name + '_' + this.toks.slice(start + 1, this.pos - 1).map(x => x.s).join('')
      } else {
        const x = this.take()
        full = name + '_' + x.s
      }
    }
    return this.maybeCall(sym(full))
  }

  maybeCall (n: Node): Node {
    const t = this.peek()
    const callable = n.k === 'sym' ? FUNC_LETTERS.test(n.name) || (n.name.includes('_') && FUNC_LETTERS.test(n.name[0] ?? '')) : n.k === 'fn'
    if (callable && t?.t === 'op' && t.s === '(' && !t.sp) {
      this.pos++
      const inner = this.top()
      this.expectOp(')')
      const args = inner.k === 'seq' && inner.open === '' ? inner.items : [inner]
      const name = n.k === 'sym' ? n.name : n.k === 'fn' ? n.name : '?'
      return fn('call:' + name, ...(n.k === 'fn' ? [...n.args, ...args] : args))
    }
    return n
  }

  bracket (open: string): Node {
    const inner = this.top()
    const close = this.take()
    if (close.t !== 'op' || (close.s !== ')' && close.s !== ']')) throw new ParseError('unbalanced bracket')
    if (inner.k === 'seq' && inner.open === '') return { k: 'seq', open, close: close.s, items: inner.items }
    if (open === '(' && close.s === ')') return inner
    if (open === '[' && close.s === ']') return inner.k === 'matrix' ? inner : inner
    throw new ParseError('mismatched brackets around one item')
  }

  setLiteral (): Node {
    if (this.isOp('\\}')) { this.pos++; return { k: 'seq', open: '{', close: '}', items: [] } }
    const inner = this.top()
    this.expectOp('\\}')
    return { k: 'seq', open: '{', close: '}', items: inner.k === 'seq' && inner.open === '' ? inner.items : [inner] }
  }

  command (c: string): Node {
    switch (c) {
      case 'frac': { const a = this.arg(); const b = this.arg(); return { k: 'div', a, b } }
      case 'sqrt': {
        if (this.isOp('[')) {
          this.pos++
          const idx = this.top()
          this.expectOp(']')
          return fn('root', this.arg(), idx)
        }
        return fn('sqrt', this.arg())
      }
      case 'binom': { const a = this.arg(); const b = this.arg(); return fn('binom', a, b) }
      case 'pi': return sym('pi')
      case 'infty': case 'inf': case 'infinity': return sym('inf')
      case 'mathbb': {
        const t = this.take()
        const name = t.s === '{' ? this.take().s : t.s
        if (t.s === '{') this.expectOp('}')
        return name === 'R' ? { k: 'seq', open: '(', close: ')', items: [{ k: 'neg', a: sym('inf') }, sym('inf')] } : sym('set_' + name)
      }
      case 'emptyset': case 'varnothing': return { k: 'seq', open: '{', close: '}', items: [] }
      case 'boxed': case 'fbox': case 'mathbf': case 'bm': case 'boldsymbol': case 'overline': case 'vec': case 'hat': case 'tilde':
        return this.arg()
      case 'lfloor': { const a = this.additive(); this.expectCmd('rfloor'); return fn('floor', a) }
      case 'lceil': { const a = this.additive(); this.expectCmd('rceil'); return fn('ceil', a) }
      case 'langle': {
        const inner = this.top()
        this.expectCmd('rangle')
        return { k: 'seq', open: '(', close: ')', items: inner.k === 'seq' && inner.open === '' ? inner.items : [inner] }
      }
      case 'begin': return this.environment()
      case 'sum': case 'prod': return this.bigOp(c)
      case 'sqrtsign': return fn('sqrt', this.arg())
      case 'deg': throw new ParseError('degree mark without a number')
    }
    if (GREEK.has(c)) return this.identifier(c)
    if (FUNCS.has(c)) return this.func(c)
    throw new ParseError(`unknown command \\${c}`)
  }

  expectCmd (s: string): void {
    if (!this.isCmd(s)) throw new ParseError(`expected \\${s}`)
    this.pos++
  }

  func (name: string): Node {
    let power: Node | null = null
    let base: Node | null = null
    if (this.isOp('_') && (name === 'log')) { this.pos++; base = this.arg() }
    if (this.isOp('^')) {
      this.pos++
      power = this.exponent()
      if (power.k === 'neg' && power.a.k === 'num' && power.a.v.n === 1n && power.a.v.d === 1n && ['sin', 'cos', 'tan'].includes(name)) {
        name = 'arc' + name
        power = null
      }
    }
    let args: Node[]
    if (this.isOp('(')) {
      this.pos++
      const inner = this.top()
      this.expectOp(')')
      args = inner.k === 'seq' && inner.open === '' ? inner.items : [inner]
    } else {
      // \sin 2x, \cos a: the argument is the implicit product that follows, up to the next function
      let a = this.power()
      while (this.startsAtom() && !(this.peek()?.t === 'cmd' && FUNCS.has(this.peek()?.s ?? ''))) a = mulOf(a, this.power())
      args = [a]
    }
    if (base !== null) args.push(base)
    const call = fn(name, ...args)
    return power === null ? call : { k: 'pow', a: call, b: power }
  }

  bigOp (op: 'sum' | 'prod'): Node {
    if (!this.isOp('_')) throw new ParseError('sum without bounds')
    this.pos++
    const lower = this.arg()
    if (lower.k !== 'rel' || lower.ops[0] !== '=' || lower.args[0]?.k !== 'sym') throw new ParseError('sum lower bound')
    if (!this.isOp('^')) throw new ParseError('sum without upper bound')
    this.pos++
    const hi = this.arg()
    const body = this.multiplicative()
    return { k: 'big', op, v: lower.args[0].name, lo: lower.args[1] as Node, hi, body }
  }

  environment (): Node {
    const env = this.rawGroupName()
    if (env === 'array') this.skipGroup()
    const rows: Node[][] = [[]]
    for (;;) {
      if (this.isCmd('end')) { this.pos++; this.rawGroupName(); break }
      if (this.peek() === undefined) throw new ParseError('unterminated environment')
      if (this.isOp('&')) { this.pos++; continue }
      if (this.isOp('\\\\')) { this.pos++; rows.push([]); continue }
      ;(rows[rows.length - 1] as Node[]).push(this.rel())
    }
    while (rows.length > 0 && (rows[rows.length - 1] as Node[]).length === 0) rows.pop()
    const width = rows[0]?.length ?? 0
    if (width === 0 || rows.some(r => r.length !== width)) throw new ParseError('ragged matrix')
    if (env === 'vmatrix') return fn('det', { k: 'matrix', rows })
    if (env === 'cases' || env === 'align' || env === 'align*' || env === 'aligned') return { k: 'seq', open: '', close: '', items: rows.map(r => r[0] as Node) }
    return { k: 'matrix', rows }
  }

  rawGroupName (): string {
    this.expectOp('{')
    let s = ''
    while (!this.isOp('}')) s += this.take().s
    this.pos++
    return s
  }

  skipGroup (): void {
    if (!this.isOp('{')) return
    let depth = 0
    do {
      const t = this.take()
      if (t.t === 'op' && t.s === '{') depth++
      if (t.t === 'op' && t.s === '}') depth--
    } while (depth > 0)
  }
}

function mulOf (a: Node, b: Node): Node {
  const args = [...(a.k === 'mul' ? a.args : [a]), ...(b.k === 'mul' ? b.args : [b])]
  return { k: 'mul', args }
}
