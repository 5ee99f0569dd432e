/** Recursive-descent parser from tokens to the expression form of ast.ts (LaTeX and plain text alike). */
import { fn, mulOf, num, sym, type Node } from './ast.ts'
import { command } from './commands.ts'
import { ParseError } from './parse-error.ts'
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
/** Single letters read as functions when followed by "(": f(x), g(2), P(x), W(n). */
const FUNC_LETTERS = /^[fghFGHPQWRST]$/

export { ParseError }

export function parseTokens (toks: Tok[]): Node {
  const p = new Parser(toks)
  const n = p.top()
  if (p.pos < toks.length) throw new ParseError(`unexpected ${toks[p.pos]?.s ?? '?'}`)
  return n
}

export class Parser {
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
      if (this.isCmd('setminus')) {
        this.pos++
        const left: Node = args.length === 1 ? args[0] as Node : { k: 'union', args: args.splice(0) }
        args.length = 0
        args.push({ k: 'setminus', a: left, b: this.ratio() })
        continue
      }
      if (!this.isCmd('cup')) throw new ParseError('only unions and differences are supported')
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
    if (t.t === 'op') return t.s === '(' || t.s === '{' || (t.s === '|' && this.absDepth === 0)
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

  command (c: string): Node { return command(this, c) }

  expectCmd (s: string): void {
    if (!this.isCmd(s)) throw new ParseError(`expected \\${s}`)
    this.pos++
  }
}
