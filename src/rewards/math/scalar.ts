/**
 * Equivalence of two scalar expressions, in order: exact rationals, structural (canonical form),
 * numeric value (constants), numeric at seeded random points (free variables). Conventions for
 * rounded decimals, percentages, degrees and base-n numbers are applied here.
 */
import { freeVars, some, type Node } from './ast.ts'
import { c, cabs, csub, finite, type C } from './complex.ts'
import { evalExact } from './exact.ts'
import { evalNumeric } from './numeric.ts'
import { canon } from './canon.ts'
import { cmp, eq, rat, sub, toNumber, type Rat } from './rational.ts'
import type { Rng } from './random.ts'

export interface Verdict { ok: boolean, rule: string }
const no = (rule: string): Verdict => ({ ok: false, rule })
const yes = (rule: string): Verdict => ({ ok: true, rule })

/** Decimal places of a literal written as a decimal (possibly negated), else null. */
function decimalPlaces (n: Node): number | null {
  if (n.k === 'neg') return decimalPlaces(n.a)
  return n.k === 'num' && n.places !== undefined ? n.places : null
}

export function scalarEqual (g: Node, p: Node, rng: Rng): Verdict {
  // percentages: X% matches X or X/100 and the other way round
  if (g.k === 'pct' && p.k === 'pct') return scalarEqual(g.a, p.a, rng)
  if (g.k === 'pct') return firstYes([() => scalarEqual(g.a, p, rng), () => scalarEqual(hundredth(g.a), p, rng)], 'percent')
  if (p.k === 'pct') return firstYes([() => scalarEqual(g, p.a, rng), () => scalarEqual(g, hundredth(p.a), rng)], 'percent')
  // degrees: the mark is dropped; radians are converted only when the gold is in degrees
  if (g.k === 'deg') {
    const pa = p.k === 'deg' ? p.a : p
    const v = scalarEqual(g.a, pa, rng)
    if (v.ok || p.k === 'deg' || !some(p, x => x.k === 'sym' && x.name === 'pi')) return v
    return scalarEqual(g.a, { k: 'div', a: { k: 'mul', args: [p, { k: 'num', v: rat(180n) }] }, b: { k: 'sym', name: 'pi' } }, rng)
  }
  if (p.k === 'deg') return scalarEqual(g, p.a, rng)
  if (g.k === 'base') {
    if (p.k === 'base') return p.base === g.base ? valueEqual(g, p, rng) : no('base')
    if (p.k === 'num' && p.places === undefined) return p.v.d === 1n && p.v.n.toString() === g.digits.replace(/^0+(?=.)/, '') ? yes('base') : no('base')
    return no('base')
  }
  return valueEqual(g, p, rng)
}

function hundredth (n: Node): Node { return { k: 'div', a: n, b: { k: 'num', v: rat(100n) } } }

function firstYes (tries: Array<() => Verdict>, rule: string): Verdict {
  let last = no(rule)
  for (const t of tries) {
    last = t()
    if (last.ok) return yes(rule + '+' + last.rule)
  }
  return last
}

function valueEqual (g: Node, p: Node, rng: Rng): Verdict {
  const ge = evalExact(g)
  const pe = evalExact(p)
  if (ge !== null && pe !== null) {
    if (eq(ge, pe)) return yes('exact_rational')
    return roundedDecimal(g, p, toNumber(ge), toNumber(pe), ge, pe) ? yes('decimal_rounding') : no('exact_rational')
  }
  if (canon(g) === canon(p)) return yes('symbolic')
  const vars = [...new Set([...freeVars(g), ...freeVars(p)])].sort()
  if (vars.length === 0) {
    const gv = evalNumeric(g, new Map())
    const pv = evalNumeric(p, new Map())
    if (!finite(gv) || !finite(pv)) return no('not_evaluable')
    if (close(gv, pv, 1e-11)) return yes('numeric_value')
    return roundedDecimal(g, p, gv.im === 0 ? gv.re : NaN, pv.im === 0 ? pv.re : NaN, ge, pe) ? yes('decimal_rounding') : no('numeric_value')
  }
  return pointsEqual(g, p, vars, rng)
}

export function pointsEqual (g: Node, p: Node, vars: string[], rng: Rng): Verdict {
  let valid = 0
  for (let k = 0; k < 8 && valid < 5; k++) {
    const env = new Map<string, C>(vars.map(v => [v, c(rng.next() * 3 + 0.5)]))
    const gv = evalNumeric(g, env)
    const pv = evalNumeric(p, env)
    if (!finite(gv) || !finite(pv)) continue
    if (!close(gv, pv, 1e-8)) return no('numeric_points')
    valid++
  }
  return valid >= 2 ? yes('numeric_points') : no('not_evaluable')
}

export function close (a: C, b: C, tol: number): boolean {
  const d = cabs(csub(a, b))
  return d <= tol * Math.max(cabs(a), cabs(b)) || d < 1e-14
}

/**
 * Conventions: a decimal gold matches a longer decimal that rounds to it; a decimal with at least 6 places
 * matches an exact value it agrees with to its last place.
 */
function roundedDecimal (g: Node, p: Node, gv: number, pv: number, ge: Rat | null, pe: Rat | null): boolean {
  const gp = decimalPlaces(g)
  const pp = decimalPlaces(p)
  if (gp !== null && pp !== null && pp > gp && ge !== null && pe !== null) {
    return eq(roundTo(pe, gp), ge)
  }
  for (const [places, dv, ov, dExact, oExact] of [[pp, pv, gv, pe, ge], [gp, gv, pv, ge, pe]] as const) {
    if (places === null || places < 6) continue
    if (dExact !== null && oExact !== null) {
      const diff = sub(dExact, oExact)
      const absDiff = diff.n < 0n ? rat(-diff.n, diff.d) : diff
      if (cmp(absDiff, rat(1n, 10n ** BigInt(places))) <= 0) return true
      continue
    }
    if (Number.isFinite(dv) && Number.isFinite(ov) && Math.abs(dv - ov) <= Math.pow(10, -places) * (1 + 1e-9) + 1e-15 * Math.abs(ov)) return true
  }
  return false
}

function roundTo (v: Rat, places: number): Rat {
  const scale = 10n ** BigInt(places)
  const neg = v.n < 0n
  const n = neg ? -v.n : v.n
  const scaled = (2n * n * scale + v.d) / (2n * v.d)
  return rat(neg ? -scaled : scaled, scale)
}
