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
import { evalPrecise, preciseEqual } from './precise.ts'
import { children } from './ast.ts'
import { div as rdiv, neg as rneg } from './rational.ts'

/**
 * Decimal rounding (option `rounding`): 'off' (default) compares two decimals exactly; 'gold_precision' also
 * lets a longer decimal match a decimal gold it rounds to at the gold's places (2.54 -> 2.5).
 */
export type Rounding = 'off' | 'gold_precision'
let rounding: Rounding = 'off'
/** Set by checkMathSync for the check it runs (a worker runs one check at a time). */
export function setRounding (r: Rounding): void { rounding = r }

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
    const rounded = (): boolean => roundedDecimal(g, p, gv.im === 0 ? gv.re : NaN, pv.im === 0 ? pv.re : NaN, ge, pe)
    if (close(gv, pv, 1e-11)) {
      // agreeing in double precision is not equality (\sqrt2 + 10^{-20}, 665857/470832): 60 digits decide
      const gd = evalPrecise(g)
      const pd = evalPrecise(p)
      if (gd !== null && pd !== null) {
        if (preciseEqual(gd, pd)) return yes('numeric_value')
        return rounded() ? yes('decimal_rounding') : no('numeric_value')
      }
      if (rounded()) return yes('decimal_rounding')
      // complex values (e^{i\pi}) have no 60-digit check: double precision decides them
      if (gv.im !== 0 || pv.im !== 0 || some(g, isImaginary) || some(p, isImaginary)) return yes('numeric_value')
      return no('undecidable')
    }
    return rounded() ? yes('decimal_rounding') : no('numeric_value')
  }
  return pointsEqual(g, p, vars, rng)
}

const isImaginary = (x: Node): boolean => x.k === 'sym' && x.name === 'i'

/** The point a variable takes in the k-th trial: positive, negative, fractional, large, or near a singular point. */
export function samplePoint (k: number, rng: Rng, near: number[]): number {
  const r = rng.next()
  switch (k % 5) {
    case 0: return r * 3 + 0.5
    case 1: return -(r * 3 + 0.5)
    case 2: return (r - 0.5) * 1.8
    case 3: return (rng.next() < 0.5 ? -1 : 1) * (20 + r * 480)
    default: {
      if (near.length === 0) return r * 3 + 0.5
      const c0 = near[Math.floor(rng.next() * near.length) % near.length] as number
      return c0 + (rng.next() < 0.5 ? -1 : 1) * (0.01 + r * 0.5)
    }
  }
}

/** Where a one-variable gold changes form: zeros of the arguments of |.|, roots, logs, floors, denominators. */
export function singularPoints (g: Node, v: string): number[] {
  const out: number[] = []
  const visit = (n: Node): void => {
    if (out.length >= 8) return
    let arg: Node | null = null
    if (n.k === 'fn' && ['abs', 'sqrt', 'root', 'ln', 'log', 'floor', 'ceil'].includes(n.name)) arg = n.args[0] ?? null
    if (n.k === 'div') arg = n.b
    if (arg !== null) {
      const r = linearRoot(arg, v)
      if (r !== null) out.push(r)
    }
    for (const c0 of children(n)) visit(c0)
  }
  visit(g)
  return out
}

function linearRoot (f: Node, v: string): number | null {
  const at = (x: Rat): Rat | null => evalExact(f, new Map([[v, x]]))
  let f0: Rat | null
  let f1: Rat | null
  let f2: Rat | null
  try { f0 = at(rat(0n)); f1 = at(rat(1n)); f2 = at(rat(3n)) } catch { return null }
  if (f0 === null || f1 === null || f2 === null) return null
  const a = sub(f1, f0)
  if (a.n === 0n || !eq(sub(f2, f0), { n: a.n * 3n, d: a.d })) return null
  return toNumber(rdiv(rneg(f0), a))
}

/**
 * Whether double precision could hide a difference: a number with 7 or more digits, or a power with an
 * exponent of 7 or more (10^{-20}, e^{-50}). Without one, agreeing at the sampled points to 1e-8 decides.
 */
export function hidesDifference (n: Node): boolean {
  return some(n, x => {
    if (x.k === 'num') return x.v.n.toString().replace('-', '').length >= 7 || x.v.d.toString().length >= 7
    if (x.k === 'pow' || (x.k === 'fn' && x.name === 'exp')) {
      const e = x.k === 'pow' ? x.b : x.args[0]
      if (e === undefined) return false
      const v = evalNumeric(e, new Map())
      return !Number.isFinite(v.re) || Math.abs(v.re) >= 7
    }
    return false
  })
}

export function pointsEqual (g: Node, p: Node, vars: string[], rng: Rng): Verdict {
  const near = vars.length === 1 ? singularPoints(g, vars[0] as string) : []
  const complexOk = some(g, isImaginary)
  let valid = 0
  let checkedPrecisely = hidesDifference(p) || hidesDifference(g) ? 0 : 1
  for (let k = 0; k < 15 && valid < 7; k++) {
    const pt = vars.map(() => samplePoint(k, rng, near))
    const env = new Map<string, C>(vars.map((v, i) => [v, c(pt[i] as number)]))
    const gv = evalNumeric(g, env)
    const pv = evalNumeric(p, env)
    if (!finite(gv) || !finite(pv)) continue
    // outside the gold's real domain a point says nothing (unless the gold is complex); inside it the
    // prediction must be real too: \ln x is not \ln|x|
    if (!complexOk && !realish(gv)) continue
    if (!complexOk && !realish(pv)) return no('numeric_points')
    if (!close(gv, pv, 1e-8)) return no('numeric_points')
    if (checkedPrecisely < 1 && realish(gv)) {
      // one point decides what double precision cannot (x vs x + 10^{-20}): exactly when both sides are
      // rational there, else at 60 digits
      const renv = new Map(vars.map((v, i) => [v, ratOfDouble(pt[i] as number)]))
      const ge = evalExactSafe(g, renv)
      const pe = ge === null ? null : evalExactSafe(p, renv)
      if (ge !== null && pe !== null) {
        if (!eq(ge, pe)) return no('numeric_points')
        checkedPrecisely++
      } else {
        const penv = new Map(vars.map((v, i) => [v, pt[i] as number]))
        const gd = evalPrecise(g, penv)
        const pd = gd === null ? null : evalPrecise(p, penv)
        if (gd !== null && pd !== null) {
          if (!preciseEqual(gd, pd)) return no('numeric_points')
          checkedPrecisely++
        }
      }
    }
    valid++
  }
  return valid >= 3 ? yes('numeric_points') : no('not_evaluable')
}

/** A double as the exact rational it is. */
function ratOfDouble (x: number): Rat {
  let d = 1n
  let y = x
  for (let k = 0; k < 60 && !Number.isInteger(y); k++) { y *= 2; d *= 2n }
  return rat(BigInt(Math.round(y)), d)
}

function evalExactSafe (n: Node, env: Map<string, Rat>): Rat | null {
  try { return evalExact(n, env) } catch { return null }
}

const realish = (a: C): boolean => Math.abs(a.im) <= 1e-12 * Math.max(1, Math.abs(a.re))

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
  if (gp !== null && pp !== null) {
    // two decimals: equal values only, unless rounding to the gold's precision was asked for
    return rounding === 'gold_precision' && pp > gp && ge !== null && pe !== null && eq(roundTo(pe, gp), ge)
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
