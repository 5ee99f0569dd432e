/** Equivalence of two answer shapes (values.ts): structures first, scalars through scalar.ts. */
import { freeVars, type Node } from './ast.ts'
import { c, cabs, cdiv, finite, type C } from './complex.ts'
import { canon } from './canon.ts'
import { endpointValue, pieceContains, toRealSet, type Piece, type RealSet } from './intervals.ts'
import { evalNumeric } from './numeric.ts'
import type { Rng } from './random.ts'
import { close, scalarEqual, type Verdict } from './scalar.ts'
import type { Val } from './values.ts'

const yes = (rule: string): Verdict => ({ ok: true, rule })
const no = (rule: string): Verdict => ({ ok: false, rule })
const MAX_ITEMS = 64

function unwrap (v: Val): Val {
  return (v.t === 'list' && v.items.length === 1) ? unwrap(v.items[0] as Val) : v
}

export function compareVal (gIn: Val, pIn: Val, rng: Rng): Verdict {
  const g = unwrap(gIn)
  const p = unwrap(pIn)
  if (g.t === 'eq') {
    if (p.t === 'eq') {
      if (g.label !== null && p.label !== null) {
        // the gold names its variable: y = 2 is not x = 2
        if (isVariable(g.lhs) && isVariable(p.lhs) && g.label !== p.label) return no('variable')
        return compareVal(g.value, p.value, rng)
      }
      if (g.label !== null && p.label === null && g.value.t === 'expr' && freeVars(p.lhs).size === 0 && freeVars(p.rhs).size === 0) return compareVal(g.value, p.value, rng)
      return equationEqual(g.lhs, g.rhs, p.lhs, p.rhs, rng)
    }
    return g.label !== null ? compareVal(g.value, p, rng) : no('equation')
  }
  if (p.t === 'eq') return compareVal(g, p.value, rng)
  if (g.t === 'text' || p.t === 'text') return no('text')
  if (g.t === 'system' || p.t === 'system') return systemEqual(g, p, rng)
  switch (g.t) {
    case 'expr':
      if (p.t === 'expr') return scalarEqual(g.n, p.n, rng)
      if (p.t === 'list' || p.t === 'set') return no('hedge')
      return no('shape')
    case 'matrix': {
      const items = vectorItems(p)
      if (p.t === 'matrix') {
        if (p.rows.length !== g.rows.length || p.rows[0]?.length !== g.rows[0]?.length) return no('matrix')
        return allPairs(g.rows.flat(), p.rows.flat(), rng, 'matrix')
      }
      const gv = vectorItems(g)
      if (gv !== null && items !== null) return ordered(gv, items, rng, 'vector')
      return no('matrix')
    }
    case 'tuple': {
      if (p.t === 'tuple') {
        if (g.items.length === 2 && p.items.length === 2 && (g.open !== p.open || g.close !== p.close)) return no('interval')
        if (g.items.length !== 2 && g.open !== p.open) return no('tuple')
        return ordered(g.items, p.items, rng, g.items.length === 2 && (g.open !== '(' || g.close !== ')') ? 'interval' : 'tuple')
      }
      if (p.t === 'list') return ordered(g.items, p.items, rng, 'tuple')
      if (p.t === 'matrix') {
        const items = vectorItems(p)
        return items === null ? no('tuple') : ordered(g.items, items, rng, 'vector')
      }
      return realSets(g, p, rng)
    }
    case 'list': case 'set':
      if (p.t === 'list' || p.t === 'set' || (p.t === 'tuple' && g.t === 'list' && p.items.length !== 2)) return unordered(g.items, p.items, rng, g.t)
      if (p.t === 'tuple' && g.t === 'list') return unordered(g.items, p.items, rng, 'list')
      if (p.t === 'expr') return no('hedge')
      return realSets(g, p, rng)
    case 'union': case 'ineq': case 'diff':
      return realSets(g, p, rng)
  }
  return no('shape')
}

const expr = (n: Node): Val => ({ t: 'expr', n })

/** A plain variable name (x, y_1, \theta), not a function or a product of names. */
const isVariable = (n: Node): boolean => n.k === 'sym'

function vectorItems (v: Val): Val[] | null {
  if (v.t === 'matrix') {
    if (v.rows.length === 1) return (v.rows[0] ?? []).map(expr)
    if (v.rows.every(r => r.length === 1)) return v.rows.map(r => expr(r[0] as Node))
    return null
  }
  if (v.t === 'tuple' || v.t === 'list') return v.items
  return null
}

function allPairs (a: Node[], b: Node[], rng: Rng, rule: string): Verdict {
  return ordered(a.map(expr), b.map(expr), rng, rule)
}

function ordered (a: Val[], b: Val[], rng: Rng, rule: string): Verdict {
  if (a.length !== b.length) return no(rule)
  for (let i = 0; i < a.length; i++) if (!compareVal(a[i] as Val, b[i] as Val, rng).ok) return no(rule)
  return yes(rule)
}

/** Sets and lists of roots: every item on each side has an equal item on the other. */
function unordered (a: Val[], b: Val[], rng: Rng, rule: string): Verdict {
  if (a.length > MAX_ITEMS || b.length > MAX_ITEMS) return no('too_many_items')
  const match = (x: Val, ys: Val[]): boolean => ys.some(y => compareVal(x, y, rng).ok)
  return a.every(x => match(x, b)) && b.every(y => match(y, a)) ? yes(rule) : no(rule)
}

function systemEqual (g: Val, p: Val, rng: Rng): Verdict {
  if (g.t === 'system' && p.t === 'system') {
    const pm = new Map(p.entries)
    if (g.entries.length === p.entries.length && g.entries.every(([k]) => pm.has(k))) {
      return g.entries.every(([k, v]) => compareVal(v, pm.get(k) as Val, rng).ok) ? yes('system') : no('system')
    }
    return ordered(g.entries.map(e => e[1]), p.entries.map(e => e[1]), rng, 'system')
  }
  const gs = g.t === 'system' ? g.entries.map(e => e[1]) : vectorItems(g)
  const ps = p.t === 'system' ? p.entries.map(e => e[1]) : vectorItems(p)
  if (gs === null || ps === null) return no('system')
  return ordered(gs, ps, rng, 'system')
}

/** lhs1 = rhs1 and lhs2 = rhs2 are the same equation when their differences are proportional. */
function equationEqual (l1: Node, r1: Node, l2: Node, r2: Node, rng: Rng): Verdict {
  const d1: Node = { k: 'add', args: [l1, { k: 'neg', a: r1 }] }
  const d2: Node = { k: 'add', args: [l2, { k: 'neg', a: r2 }] }
  const vars = [...new Set([...freeVars(d1), ...freeVars(d2)])].sort()
  if (vars.length === 0) return canon(l1) === canon(l2) && canon(r1) === canon(r2) ? yes('equation') : no('equation')
  let ratio: C | null = null
  let valid = 0
  for (let k = 0; k < 10 && valid < 5; k++) {
    const env = new Map<string, C>(vars.map(v => [v, c(rng.next() * 3 + 0.5)]))
    const a = evalNumeric(d1, env)
    const b = evalNumeric(d2, env)
    if (!finite(a) || !finite(b) || cabs(a) < 1e-9) continue
    const r = cdiv(b, a)
    if (ratio === null) {
      if (cabs(r) < 1e-12) return no('equation')
      ratio = r
    } else if (!close(r, ratio, 1e-8)) return no('equation')
    valid++
  }
  if (valid >= 2) return yes('equation')
  return canon(d1) === canon(d2) ? yes('equation') : no('equation')
}

function realSets (g: Val, p: Val, rng: Rng): Verdict {
  const a = toRealSet(g)
  const b = toRealSet(p)
  if (a === null || b === null) return no('shape')
  if (a.pieces !== null && b.pieces !== null) return piecesEqual(a.pieces, b.pieces, rng)
  return predicateEqual(a, b) ? yes('interval_points') : no('interval_points')
}

function sortPieces (ps: Piece[]): Piece[] {
  return [...ps].sort((x, y) => endpointValue(x.lo) - endpointValue(y.lo) || endpointValue(x.hi) - endpointValue(y.hi))
}

function piecesEqual (a: Piece[], b: Piece[], rng: Rng): Verdict {
  if (a.length !== b.length) return no('interval')
  const sa = sortPieces(a)
  const sb = sortPieces(b)
  for (let i = 0; i < sa.length; i++) {
    const x = sa[i] as Piece
    const y = sb[i] as Piece
    if (!endEqual(x.lo, y.lo, rng) || !endEqual(x.hi, y.hi, rng)) return no('interval')
    if ((Number.isFinite(endpointValue(x.lo)) && x.lc !== y.lc) || (Number.isFinite(endpointValue(x.hi)) && x.hc !== y.hc)) return no('interval')
  }
  return yes('interval')
}

function endEqual (a: Node, b: Node, rng: Rng): boolean {
  const av = endpointValue(a)
  const bv = endpointValue(b)
  if (!Number.isFinite(av) || !Number.isFinite(bv)) return av === bv
  return scalarEqual(a, b, rng).ok
}

function membership (s: RealSet, x: number): boolean {
  return s.pieces === null ? s.predicate(x) : s.pieces.some(p => pieceContains(p, x))
}

/** Compares sets pointwise at every finite endpoint, just beside it, between endpoints and far out. */
function predicateEqual (a: RealSet, b: RealSet): boolean {
  const ends: number[] = []
  for (const s of [a, b]) {
    if (s.pieces === null) continue
    for (const p of s.pieces) for (const e of [endpointValue(p.lo), endpointValue(p.hi)]) if (Number.isFinite(e)) ends.push(e)
  }
  const pts = new Set<number>([0, 1e6, -1e6, 0.5, -0.5, 3.7, -3.7])
  const sorted = [...new Set(ends)].sort((x, y) => x - y)
  for (const [i, e] of sorted.entries()) {
    const d = 1e-7 * Math.max(1, Math.abs(e))
    pts.add(e); pts.add(e - d); pts.add(e + d)
    const nx = sorted[i + 1]
    if (nx !== undefined) pts.add((e + nx) / 2)
  }
  for (const x of pts) if (membership(a, x) !== membership(b, x)) return false
  return true
}
