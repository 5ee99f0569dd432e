/**
 * Subsets of the real line: intervals (bracket types matter), unions, finite sets inside unions, and
 * inequalities in one variable turned into intervals (linear) or compared pointwise (otherwise).
 */
import { freeVars, num, type Node } from './ast.ts'
import { c, type C } from './complex.ts'
import { evalExact } from './exact.ts'
import { evalNumeric } from './numeric.ts'
import { cmp, div, neg, rat, sub, type Rat } from './rational.ts'
import type { Val } from './values.ts'

/** One piece: lo..hi with closedness; points are [v, v] closed. Infinite ends are sym 'inf' / neg. */
export interface Piece { lo: Node, hi: Node, lc: boolean, hc: boolean }
export type RealSet = { pieces: Piece[] } | { predicate: (x: number) => boolean, pieces: null }

const INF: Node = { k: 'sym', name: 'inf' }
const NEG_INF: Node = { k: 'neg', a: INF }

export function endpointValue (n: Node): number {
  const v = evalNumeric(n, new Map())
  if (n.k === 'sym' && n.name === 'inf') return Infinity
  if (n.k === 'neg' && n.a.k === 'sym' && n.a.name === 'inf') return -Infinity
  return v.im === 0 ? v.re : NaN
}

/** The set a value describes, or null when it is not a subset of the reals. */
export function toRealSet (v: Val): RealSet | null {
  switch (v.t) {
    case 'tuple': {
      if (v.items.length !== 2) return null
      const [a, b] = v.items
      if (a?.t !== 'expr' || b?.t !== 'expr') return null
      return { pieces: [{ lo: a.n, hi: b.n, lc: v.open === '[', hc: v.close === ']' }] }
    }
    case 'set': case 'list': {
      const pieces: Piece[] = []
      for (const it of v.items) {
        if (it.t === 'expr') { pieces.push({ lo: it.n, hi: it.n, lc: true, hc: true }); continue }
        if (v.t !== 'list' || (it.t !== 'ineq' && it.t !== 'tuple')) return null
        const s = toRealSet(it)
        if (s === null || s.pieces === null) return null
        pieces.push(...s.pieces)
      }
      return { pieces }
    }
    case 'union': {
      const pieces: Piece[] = []
      for (const p of v.parts) {
        const s = toRealSet(p)
        if (s === null || s.pieces === null) return null
        pieces.push(...s.pieces)
      }
      return { pieces }
    }
    case 'ineq': return inequalitySet(v.n)
    case 'diff': {
      const a = toRealSet(v.a)
      const b = toRealSet(v.b)
      if (a === null || b === null || a.pieces === null || b.pieces === null) return null
      let pieces = a.pieces
      for (const cut of b.pieces) pieces = pieces.flatMap(p => minus(p, cut))
      return { pieces }
    }
    case 'eq': return v.value.t === 'eq' ? null : toRealSet(v.value)
    default: return null
  }
}

const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '!=': '!=' }

function inequalitySet (n: Node & { k: 'rel' }): RealSet | null {
  // a < X < b with constant ends: an interval whatever X is (0 < f(x) < 1)
  if (n.args.length === 3) {
    const [a, , b] = n.args as [Node, Node, Node]
    const [o1, o2] = n.ops as [string, string]
    const mid = n.args[1] as Node
    const named = mid.k === 'sym' || (mid.k === 'fn' && mid.name.startsWith('call:'))
    if (freeVars(a).size === 0 && freeVars(b).size === 0 && !named && freeVars(mid).size === 1) {
      const v = [...freeVars(mid)][0] as string
      const at = (x: number): C => evalNumeric(mid, new Map([[v, c(x)]]))
      return { predicate: (x: number) => holds(o1, evalNumeric(a, new Map()), at(x)) && holds(o2, at(x), evalNumeric(b, new Map())), pieces: null }
    }
    if (freeVars(a).size === 0 && freeVars(b).size === 0) {
      const up = (o: string): boolean => o === '<' || o === '<='
      if (up(o1) && up(o2)) return { pieces: [{ lo: a, hi: b, lc: o1 === '<=', hc: o2 === '<=' }] }
      if (!up(o1) && !up(o2) && o1 !== '!=' && o2 !== '!=') return { pieces: [{ lo: b, hi: a, lc: o2 === '>=', hc: o1 === '>=' }] }
    }
  }
  if (n.args.length !== 2) return null
  let [l, r] = n.args as [Node, Node]
  let op = n.ops[0] as string
  const vars = new Set([...freeVars(l), ...freeVars(r)])
  if (vars.size === 0 && freeVars(r).size === 0 && freeVars(l).size === 0) return null
  if (vars.size === 0) return null
  // label on the right: 5 >= x
  if (freeVars(l).size === 0) { [l, r] = [r, l]; op = FLIP[op] ?? op }
  if (vars.size !== 1 || freeVars(r).size !== 0) return label1(l, r, op)
  const v = [...vars][0] as string
  const f: Node = { k: 'add', args: [l, { k: 'neg', a: r }] }
  const lin = linear(f, v)
  if (lin !== null) {
    const [a, b] = lin
    if (a.n === 0n) return null
    const root = num(neg(div(b, a)))
    const o = a.n < 0n ? FLIP[op] ?? op : op
    return fromOp(o, root)
  }
  const pred = (x: number): boolean => {
    const lv = evalNumeric(l, new Map([[v, c(x)]]))
    const rv = evalNumeric(r, new Map([[v, c(x)]]))
    return holds(op, lv, rv)
  }
  return { predicate: pred, pieces: null }
}

/** x > 5 where the left side is a name (f(x), |AB|) and the right side is constant. */
function label1 (l: Node, r: Node, op: string): RealSet | null {
  if (freeVars(r).size !== 0) return null
  return fromOp(op, r, l)
}

function fromOp (op: string, root: Node, _l?: Node): RealSet | null {
  switch (op) {
    case '<': return { pieces: [{ lo: NEG_INF, hi: root, lc: false, hc: false }] }
    case '<=': return { pieces: [{ lo: NEG_INF, hi: root, lc: false, hc: true }] }
    case '>': return { pieces: [{ lo: root, hi: INF, lc: false, hc: false }] }
    case '>=': return { pieces: [{ lo: root, hi: INF, lc: true, hc: false }] }
    case '!=': return { pieces: [{ lo: NEG_INF, hi: root, lc: false, hc: false }, { lo: root, hi: INF, lc: false, hc: false }] }
    default: return null
  }
}

function holds (op: string, a: C, b: C): boolean {
  if (a.im !== 0 || b.im !== 0) return false
  switch (op) {
    case '<': return a.re < b.re
    case '<=': return a.re <= b.re + 1e-12
    case '>': return a.re > b.re
    case '>=': return a.re >= b.re - 1e-12
    case '!=': return Math.abs(a.re - b.re) > 1e-12
    default: return false
  }
}

/** f = a v + b exactly (checked at three rational points), else null. */
function linear (f: Node, v: string): [Rat, Rat] | null {
  const at = (x: Rat): Rat | null => evalExact(f, new Map([[v, x]]))
  const f0 = at(rat(0n)); const f1 = at(rat(1n)); const f2 = at(rat(7n, 3n))
  if (f0 === null || f1 === null || f2 === null) return null
  const a = sub(f1, f0)
  const predicted = rat(a.n * 7n * f0.d + 3n * a.d * f0.n, 3n * a.d * f0.d)
  return cmp(predicted, f2) === 0 ? [a, f0] : null
}

export function pieceContains (p: Piece, x: number): boolean {
  const lo = endpointValue(p.lo); const hi = endpointValue(p.hi)
  return (x > lo || (p.lc && x === lo)) && (x < hi || (p.hc && x === hi))
}

/** p without q: up to two pieces (q's ends become open/closed the other way round). */
function minus (p: Piece, q: Piece): Piece[] {
  const [plo, phi, qlo, qhi] = [endpointValue(p.lo), endpointValue(p.hi), endpointValue(q.lo), endpointValue(q.hi)]
  if ([plo, phi, qlo, qhi].some(Number.isNaN)) return [p]
  // no overlap
  if (qhi < plo || (qhi === plo && !(q.hc && p.lc)) || qlo > phi || (qlo === phi && !(q.lc && p.hc))) return [p]
  const out: Piece[] = []
  if (plo < qlo || (plo === qlo && p.lc && !q.lc)) {
    const hiBefore = phi < qlo
    out.push({ lo: p.lo, lc: p.lc, hi: hiBefore ? p.hi : q.lo, hc: hiBefore ? p.hc : !q.lc })
  }
  if (phi > qhi || (phi === qhi && p.hc && !q.hc)) {
    const loAfter = plo > qhi
    out.push({ lo: loAfter ? p.lo : q.hi, lc: loAfter ? p.lc : !q.hc, hi: p.hi, hc: p.hc })
  }
  return out.filter(x => endpointValue(x.lo) < endpointValue(x.hi) || (x.lc && x.hc))
}
