/** LaTeX commands of the parser: \\frac, \\sqrt, functions, sums, environments (matrices), named sets. */
import { fn, mulOf, sym, type Node } from './ast.ts'
import { ParseError } from './parse-error.ts'
import type { Parser } from './parser.ts'

const FUNCS = new Set(['sin', 'cos', 'tan', 'sec', 'csc', 'cot', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh',
  'tanh', 'ln', 'log', 'exp', 'abs', 'gcd', 'lcm', 'max', 'min', 'det', 'arcsec', 'arccsc', 'arccot', 'lg'])
const GREEK = new Set(['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta',
  'vartheta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'varphi',
  'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Phi', 'Psi', 'Omega', 'ell'])

export function command (p: Parser, c: string): Node {
  switch (c) {
    case 'frac': { const a = p.arg(); const b = p.arg(); return { k: 'div', a, b } }
    case 'sqrt': {
      if (p.isOp('[')) {
        p.pos++
        const idx = p.top()
        p.expectOp(']')
        return fn('root', p.arg(), idx)
      }
      return fn('sqrt', p.arg())
    }
    case 'binom': { const a = p.arg(); const b = p.arg(); return fn('binom', a, b) }
    case 'pi': return sym('pi')
    case 'infty': case 'inf': case 'infinity': return sym('inf')
    case 'mathbb': {
      const t = p.take()
      const name = t.s === '{' ? p.take().s : t.s
      if (t.s === '{') p.expectOp('}')
      return name === 'R' ? { k: 'seq', open: '(', close: ')', items: [{ k: 'neg', a: sym('inf') }, sym('inf')] } : sym('set_' + name)
    }
    case 'emptyset': case 'varnothing': return { k: 'seq', open: '{', close: '}', items: [] }
    case 'boxed': case 'fbox': case 'mathbf': case 'bm': case 'boldsymbol': case 'overline': case 'vec': case 'hat': case 'tilde':
      return p.arg()
    case 'lfloor': { const a = p.additive(); p.expectCmd('rfloor'); return fn('floor', a) }
    case 'lceil': { const a = p.additive(); p.expectCmd('rceil'); return fn('ceil', a) }
    case 'langle': {
      const inner = p.top()
      p.expectCmd('rangle')
      return { k: 'seq', open: '(', close: ')', items: inner.k === 'seq' && inner.open === '' ? inner.items : [inner] }
    }
    case 'begin': return environment(p)
    case 'sum': case 'prod': return bigOp(p, c)
    case 'sqrtsign': return fn('sqrt', p.arg())
    case 'deg': throw new ParseError('degree mark without a number')
  }
  if (GREEK.has(c)) return p.identifier(c)
  if (FUNCS.has(c)) return func(p, c)
  throw new ParseError(`unknown command \\${c}`)
}

function func (p: Parser, name: string): Node {
  let power: Node | null = null
  let base: Node | null = null
  if (p.isOp('_') && (name === 'log')) { p.pos++; base = p.arg() }
  if (p.isOp('^')) {
    p.pos++
    power = p.exponent()
    if (power.k === 'neg' && power.a.k === 'num' && power.a.v.n === 1n && power.a.v.d === 1n && ['sin', 'cos', 'tan'].includes(name)) {
      name = 'arc' + name
      power = null
    }
  }
  let args: Node[]
  if (p.isOp('(')) {
    p.pos++
    const inner = p.top()
    p.expectOp(')')
    args = inner.k === 'seq' && inner.open === '' ? inner.items : [inner]
  } else {
    // \sin 2x, \cos a: the argument is the implicit product that follows, up to the next function
    let a = p.power()
    while (p.startsAtom() && !(p.peek()?.t === 'cmd' && FUNCS.has(p.peek()?.s ?? ''))) a = mulOf(a, p.power())
    args = [a]
  }
  if (base !== null) args.push(base)
  const call = fn(name, ...args)
  return power === null ? call : { k: 'pow', a: call, b: power }
}

function bigOp (p: Parser, op: 'sum' | 'prod'): Node {
  if (!p.isOp('_')) throw new ParseError('sum without bounds')
  p.pos++
  const lower = p.arg()
  if (lower.k !== 'rel' || lower.ops[0] !== '=' || lower.args[0]?.k !== 'sym') throw new ParseError('sum lower bound')
  if (!p.isOp('^')) throw new ParseError('sum without upper bound')
  p.pos++
  const hi = p.arg()
  const body = p.multiplicative()
  return { k: 'big', op, v: lower.args[0].name, lo: lower.args[1] as Node, hi, body }
}

function environment (p: Parser): Node {
  const env = rawGroupName(p)
  if (env === 'array') skipGroup(p)
  const rows: Node[][] = [[]]
  for (;;) {
    if (p.isCmd('end')) { p.pos++; rawGroupName(p); break }
    if (p.peek() === undefined) throw new ParseError('unterminated environment')
    if (p.isOp('&')) { p.pos++; continue }
    if (p.isOp('\\\\')) { p.pos++; rows.push([]); continue }
    ;(rows[rows.length - 1] as Node[]).push(p.rel())
  }
  while (rows.length > 0 && (rows[rows.length - 1] as Node[]).length === 0) rows.pop()
  const width = rows[0]?.length ?? 0
  if (width === 0 || rows.some(r => r.length !== width)) throw new ParseError('ragged matrix')
  if (env === 'vmatrix') return fn('det', { k: 'matrix', rows })
  if (env === 'cases' || env === 'align' || env === 'align*' || env === 'aligned') return { k: 'seq', open: '', close: '', items: rows.map(r => r[0] as Node) }
  return { k: 'matrix', rows }
}

function rawGroupName (p: Parser): string {
  p.expectOp('{')
  let s = ''
  while (!p.isOp('}')) s += p.take().s
  p.pos++
  return s
}

function skipGroup (p: Parser): void {
  if (!p.isOp('{')) return
  let depth = 0
  do {
    const t = p.take()
    if (t.t === 'op' && t.s === '{') depth++
    if (t.t === 'op' && t.s === '}') depth--
  } while (depth > 0)
}
