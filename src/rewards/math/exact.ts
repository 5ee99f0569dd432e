/**
 * Exact evaluation to a rational (BigInt), or null when the value is not rational or needs a variable.
 * Refuses (ResourceError) what would be too large: 9^{9^9}, 10!!!!!!, sums over 10^9 terms.
 */
import type { Node } from './ast.ts'
import {
  add, div, eq, factorial, isInt, mul, neg, powInt, rat, ResourceError, rootInt, bitLength, ONE, ZERO, type Rat
} from './rational.ts'

export const MAX_SUM_TERMS = 10_000
/** Terms of all sums in one evaluation together (nested sums multiply). */
export const MAX_SUM_WORK = 20_000
let work = 0

export function evalExact (n: Node, env: Map<string, Rat> = new Map()): Rat | null {
  work = 0
  try {
    return ev(n, env)
  } catch (e) {
    if (e instanceof ResourceError) throw e
    return null
  }
}

function ev (n: Node, env: Map<string, Rat>): Rat | null {
  switch (n.k) {
    case 'num': return n.v
    case 'base': return baseValue(n.digits, n.base)
    case 'sym': return env.get(n.name) ?? null
    case 'neg': { const a = ev(n.a, env); return a === null ? null : neg(a) }
    case 'add': {
      let acc = ZERO
      for (const x of n.args) { const v = ev(x, env); if (v === null) return null; acc = add(acc, v) }
      return acc
    }
    case 'mul': {
      let acc = ONE
      for (const x of n.args) { const v = ev(x, env); if (v === null) return null; acc = mul(acc, v) }
      return acc
    }
    case 'div': {
      const a = ev(n.a, env); const b = ev(n.b, env)
      return a === null || b === null || b.n === 0n ? null : div(a, b)
    }
    case 'pow': return pow(n.a, n.b, env)
    case 'pct': { const a = ev(n.a, env); return a === null ? null : div(a, rat(100n)) }
    case 'deg': return ev(n.a, env)
    case 'fn': return func(n.name, n.args, env)
    case 'big': return big(n, env)
    default: return null
  }
}

export function baseValue (digits: string, base: number): Rat {
  let v = 0n
  for (const ch of digits) {
    const d = parseInt(ch, 36)
    if (!(d < base)) throw new RangeError('digit out of base')
    v = v * BigInt(base) + BigInt(d)
  }
  return rat(v)
}

function pow (a: Node, b: Node, env: Map<string, Rat>): Rat | null {
  const e = ev(b, env)
  if (e === null) {
    // refuse towers before anything tries them numerically
    const bn = b.k === 'pow' ? ev(b.a, env) : null
    if (bn !== null) ev(b, env)
    return null
  }
  const x = ev(a, env)
  if (x === null) {
    if (e.d === 1n && (e.n > 100_000n || e.n < -100_000n)) throw new ResourceError('exponent too large')
    return null
  }
  if (isInt(e)) {
    if (x.n === 0n && e.n < 0n) return null
    if ((x.n === 1n && x.d === 1n) || x.n === 0n) return x
    if (x.n === -1n && x.d === 1n) return e.n % 2n === 0n ? ONE : x
    return powInt(x, e.n)
  }
  // rational exponent p/q: exact only for perfect q-th powers
  if (e.d > 64n) return null
  const q = Number(e.d)
  const rn = rootInt(x.n, q)
  const rd = rootInt(x.d, q)
  if (rn === null || rd === null) return null
  return powInt(rat(rn, rd), e.n)
}

function func (name: string, args: Node[], env: Map<string, Rat>): Rat | null {
  const vals: Rat[] = []
  for (const a of args) { const v = ev(a, env); if (v === null) return null; vals.push(v) }
  const [a, b] = vals
  if (a === undefined) return null
  switch (name) {
    case 'sqrt': return pow({ k: 'num', v: a }, { k: 'num', v: rat(1n, 2n) }, env)
    case 'root': return b === undefined ? null : pow({ k: 'num', v: a }, { k: 'num', v: div(ONE, b) }, env)
    case 'fact': return factorial(a)
    case 'abs': return a.n < 0n ? neg(a) : a
    case 'floor': return rat(floorDiv(a.n, a.d))
    case 'ceil': return rat(-floorDiv(-a.n, a.d))
    case 'binom': return b === undefined ? null : binom(a, b)
    case 'exp': return a.n === 0n ? ONE : null
    case 'ln': return eq(a, ONE) ? ZERO : null
    case 'sin': case 'tan': case 'arcsin': case 'arctan': case 'sinh': case 'tanh': return a.n === 0n ? ZERO : null
    case 'cos': case 'cosh': return a.n === 0n ? ONE : null
    default: return null
  }
}

function floorDiv (n: bigint, d: bigint): bigint {
  const q = n / d
  return (n % d !== 0n && (n < 0n) !== (d < 0n)) ? q - 1n : q
}

function binom (n: Rat, k: Rat): Rat | null {
  if (!isInt(n) || !isInt(k) || k.n < 0n || n.n < 0n) return null
  if (k.n > n.n) return ZERO
  const kk = k.n < n.n - k.n ? k.n : n.n - k.n
  if (kk > 5000n) throw new ResourceError('binomial too large')
  let r = 1n
  for (let i = 1n; i <= kk; i++) r = r * (n.n - kk + i) / i
  return rat(r)
}

function big (n: Node & { k: 'big' }, env: Map<string, Rat>): Rat | null {
  const lo = ev(n.lo, env); const hi = ev(n.hi, env)
  if (lo === null || hi === null || !isInt(lo) || !isInt(hi)) return null
  if (hi.n - lo.n > BigInt(MAX_SUM_TERMS)) throw new ResourceError('sum has too many terms')
  let acc = n.op === 'sum' ? ZERO : ONE
  const inner = new Map(env)
  for (let i = lo.n; i <= hi.n; i++) {
    // work grows with the size of the running total: harmonic-like sums get expensive long before 10^4 terms
    work += 1 + Math.floor(Math.max(bitLength(acc.n), bitLength(acc.d)) / 32)
    if (work > MAX_SUM_WORK) throw new ResourceError('sums too large to evaluate exactly')
    inner.set(n.v, rat(i))
    const v = ev(n.body, inner)
    if (v === null) return null
    acc = n.op === 'sum' ? add(acc, v) : mul(acc, v)
  }
  return acc
}
