/**
 * Evaluation of real constants at 60 significant digits (decimal.js, the arithmetic under mathjs's
 * BigNumber): what decides whether two irrational values that agree in double precision are equal.
 * null when the value is not real or uses something not evaluated here (then nothing is decided by it).
 */
import { Decimal } from 'decimal.js'
import type { Node } from './ast.ts'

const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15, minE: -9e15, maxE: 9e15 })
type Dec = InstanceType<typeof D>
const PI = D.acos(-1)
const E = new D(1).exp()
/** Two values are equal when they agree to this relative precision (60 digits computed). */
const REL = new D('1e-45')
const TINY = new D('1e-55')
const MAX_OPS = 5000
const MAX_EXP = 10_000

let ops = 0

export function evalPrecise (n: Node, env: Map<string, number> = new Map()): Dec | null {
  ops = 0
  try {
    const v = ev(n, env)
    return v !== null && v.isFinite() ? v : null
  } catch {
    return null
  }
}

export function preciseEqual (a: Dec, b: Dec): boolean {
  const d = a.minus(b).abs()
  if (d.isZero()) return true
  const scale = D.max(a.abs(), b.abs())
  return d.lte(scale.times(REL)) || d.lt(TINY)
}

function ev (n: Node, env: Map<string, number>): Dec | null {
  if (++ops > MAX_OPS) return null
  switch (n.k) {
    case 'num': return new D(n.v.n.toString()).div(n.v.d.toString())
    case 'sym': {
      const v = env.get(n.name)
      if (v !== undefined) return new D(v)
      return n.name === 'pi' ? PI : n.name === 'e' ? E : null
    }
    case 'neg': { const a = ev(n.a, env); return a === null ? null : a.neg() }
    case 'add': {
      let acc = new D(0)
      for (const x of n.args) { const v = ev(x, env); if (v === null) return null; acc = acc.plus(v) }
      return acc
    }
    case 'mul': {
      let acc = new D(1)
      for (const x of n.args) { const v = ev(x, env); if (v === null) return null; acc = acc.times(v) }
      return acc
    }
    case 'div': {
      const a = ev(n.a, env); const b = ev(n.b, env)
      return a === null || b === null || b.isZero() ? null : a.div(b)
    }
    case 'pow': {
      const a = ev(n.a, env); const b = ev(n.b, env)
      if (a === null || b === null || b.abs().gt(MAX_EXP)) return null
      if (a.isNeg() && !b.isInteger()) return null
      if (a.isZero() && !b.isPos()) return null
      return a.pow(b)
    }
    case 'pct': { const a = ev(n.a, env); return a === null ? null : a.div(100) }
    case 'deg': return ev(n.a, env)
    case 'fn': return func(n.name, n.args, env)
    default: return null
  }
}

function func (name: string, args: Node[], env: Map<string, number>): Dec | null {
  const vals: Dec[] = []
  for (const a of args) { const v = ev(a, env); if (v === null) return null; vals.push(v) }
  const x = vals[0]
  if (x === undefined) return null
  switch (name) {
    case 'sqrt': return x.isNeg() ? null : x.sqrt()
    case 'root': {
      const k = vals[1]
      if (k === undefined || !k.isInteger() || k.lte(0)) return null
      if (x.isNeg()) return k.mod(2).eq(1) ? x.neg().pow(new D(1).div(k)).neg() : null
      return x.pow(new D(1).div(k))
    }
    case 'sin': return x.sin()
    case 'cos': return x.cos()
    case 'tan': return x.tan()
    case 'cot': { const t = x.tan(); return t.isZero() ? null : new D(1).div(t) }
    case 'sec': { const t = x.cos(); return t.isZero() ? null : new D(1).div(t) }
    case 'csc': { const t = x.sin(); return t.isZero() ? null : new D(1).div(t) }
    case 'exp': return x.abs().gt(MAX_EXP) ? null : x.exp()
    case 'ln': return x.lte(0) ? null : x.ln()
    case 'log': {
      if (x.lte(0)) return null
      const b = vals[1]
      if (b === undefined) return x.log(10)
      return b.lte(0) || b.eq(1) ? null : x.ln().div(b.ln())
    }
    case 'lg': return x.lte(0) ? null : x.log(10)
    case 'abs': return x.abs()
    case 'sinh': return x.sinh()
    case 'cosh': return x.cosh()
    case 'tanh': return x.tanh()
    case 'arcsin': return x.abs().gt(1) ? null : x.asin()
    case 'arccos': return x.abs().gt(1) ? null : x.acos()
    case 'arctan': return x.atan()
    case 'floor': return x.floor()
    case 'max': return D.max(...vals)
    case 'min': return D.min(...vals)
    case 'ceil': return x.ceil()
    default: return null
  }
}
