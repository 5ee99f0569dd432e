/**
 * Numeric (complex, double precision) evaluation at a point. Unknown functions (f(x), F_{n-1}) are
 * deterministic pseudo-random functions of their name and arguments, so f(x) and f(y) differ.
 */
import type { Node } from './ast.ts'
import { baseValue, evalExact } from './exact.ts'
import { MAX_SUM_TERMS, MAX_SUM_WORK } from './exact.ts'
import { toNumber } from './rational.ts'
import {
  c, cabs, cadd, ccos, cdiv, cexp, clog, cmul, cneg, cpow, croot, csin, csqrt, finite, type C
} from './complex.ts'

const NAN = c(NaN)

let work = 0

export function evalNumeric (n: Node, env: Map<string, C>): C {
  work = 0
  try {
    return ev(n, env)
  } catch {
    return NAN
  }
}

function ev (n: Node, env: Map<string, C>): C {
  switch (n.k) {
    case 'num': return c(toNumber(n.v))
    case 'base': return c(toNumber(baseValue(n.digits, n.base)))
    case 'sym': return symbol(n.name, env)
    case 'neg': return cneg(ev(n.a, env))
    case 'add': return n.args.reduce((acc, x) => cadd(acc, ev(x, env)), c(0))
    case 'mul': return n.args.reduce((acc, x) => cmul(acc, ev(x, env)), c(1))
    case 'div': return cdiv(ev(n.a, env), ev(n.b, env))
    case 'pow': return power(n.a, n.b, env)
    case 'pct': return cdiv(ev(n.a, env), c(100))
    case 'deg': return ev(n.a, env)
    case 'fn': return func(n.name, n.args.map(a => ev(a, env)))
    case 'big': return big(n, env)
    default: return NAN
  }
}

/** Real roots of negative reals for exponents p/q with odd q: (-8)^{2/3} = 4, as calculus answers mean. */
function power (a: Node, b: Node, env: Map<string, C>): C {
  const x = ev(a, env)
  const y = ev(b, env)
  if (x.im === 0 && x.re < 0 && y.im === 0 && !Number.isInteger(y.re)) {
    const q = evalExact(b)
    if (q !== null && q.d % 2n === 1n) {
      const mag = Math.pow(-x.re, y.re)
      return c(q.n % 2n === 0n ? mag : -mag)
    }
  }
  return cpow(x, y)
}

function symbol (name: string, env: Map<string, C>): C {
  const v = env.get(name)
  if (v !== undefined) return v
  if (name === 'pi') return c(Math.PI)
  if (name === 'e') return c(Math.E)
  if (name === 'i') return c(0, 1)
  return NAN
}

function func (name: string, a: C[]): C {
  const x = a[0] ?? NAN
  switch (name) {
    case 'sqrt': return csqrt(x)
    case 'root': return croot(x, a[1] ?? NAN)
    case 'sin': return csin(x)
    case 'cos': return ccos(x)
    case 'tan': return cdiv(csin(x), ccos(x))
    case 'cot': return cdiv(ccos(x), csin(x))
    case 'sec': return cdiv(c(1), ccos(x))
    case 'csc': return cdiv(c(1), csin(x))
    case 'exp': return cexp(x)
    case 'ln': return clog(x)
    case 'log': return a.length > 1 ? cdiv(clog(x), clog(a[1] ?? NAN)) : cdiv(clog(x), c(Math.LN10))
    case 'lg': return cdiv(clog(x), c(Math.LN10))
    case 'abs': return c(cabs(x))
    case 'sinh': return cdiv(cadd(cexp(x), cneg(cexp(cneg(x)))), c(2))
    case 'cosh': return cdiv(cadd(cexp(x), cexp(cneg(x))), c(2))
    case 'tanh': { const e2 = cexp(cmul(c(2), x)); return cdiv(cadd(e2, c(-1)), cadd(e2, c(1))) }
    case 'max': case 'min': {
      if (a.length === 0 || a.some(v => v.im !== 0 || Number.isNaN(v.re))) return NAN
      return c((name === 'max' ? Math.max : Math.min)(...a.map(v => v.re)))
    }
    case 'arcsin': return real(Math.asin, x)
    case 'arccos': return real(Math.acos, x)
    case 'arctan': return real(Math.atan, x)
    case 'floor': return x.im === 0 ? c(Math.floor(x.re)) : NAN
    case 'ceil': return x.im === 0 ? c(Math.ceil(x.re)) : NAN
    case 'fact': return x.im === 0 && Number.isInteger(x.re) && x.re >= 0 && x.re <= 170 ? c(fact(x.re)) : NAN
    case 'binom': {
      // \binom{x}{k} for a whole k is x(x-1)...(x-k+1)/k! for any x: \binom{n+1}{2} = n(n+1)/2
      const k = a[1] ?? NAN
      if (k.im !== 0 || !Number.isInteger(k.re) || k.re < 0 || k.re > 170) return NAN
      let acc = c(1)
      for (let i = 0; i < k.re; i++) acc = cdiv(cmul(acc, cadd(x, c(-i))), c(i + 1))
      return acc
    }
    default:
      if (name.startsWith('call:') || name.startsWith('idx:')) return unknownFunction(name, a)
      return NAN
  }
}

function real (f: (v: number) => number, x: C): C { return x.im === 0 ? c(f(x.re)) : NAN }

function fact (k: number): number {
  if (k < 0) return NaN
  let r = 1
  for (let i = 2; i <= k; i++) r *= i
  return r
}

function unknownFunction (name: string, args: C[]): C {
  let h = 2166136261
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619)
  let acc = c(((h >>> 0) % 1000) / 500 - 1)
  args.forEach((x, k) => {
    const w = 0.7 + ((h >>> (k * 3)) & 7) / 5
    acc = cadd(acc, csin(cadd(cmul(c(w), x), c(k + 0.3))))
    acc = cadd(acc, cmul(c(0.1 * (k + 1)), cmul(x, x)))
  })
  return acc
}

function big (n: Node & { k: 'big' }, env: Map<string, C>): C {
  const lo = ev(n.lo, env); const hi = ev(n.hi, env)
  if (lo.im !== 0 || hi.im !== 0 || !Number.isInteger(lo.re) || !Number.isInteger(hi.re)) return NAN
  if (hi.re - lo.re > MAX_SUM_TERMS) return NAN
  let acc = c(n.op === 'sum' ? 0 : 1)
  const inner = new Map(env)
  for (let i = lo.re; i <= hi.re; i++) {
    if (++work > MAX_SUM_WORK) return NAN
    inner.set(n.v, c(i))
    const v = ev(n.body, inner)
    acc = n.op === 'sum' ? cadd(acc, v) : cmul(acc, v)
  }
  return acc
}

export { finite }
