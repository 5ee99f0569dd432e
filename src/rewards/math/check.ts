/** One math check, synchronously, in the calling thread: extract, parse both sides, compare. */
import type { MathCheckInput, MathCheckResult } from './api.ts'
import { show } from './ast.ts'
import { compareVal } from './compare.ts'
import { extractAnswer, findBoxes, type Extraction } from './extract.ts'
import { tokenize } from './lexer.ts'
import { normalizeAnswer } from './normalize.ts'
import { ParseError, parseTokens } from './parser.ts'
import { prepare, textKey } from './prepare.ts'
import { rng, seedFrom } from './random.ts'
import { ResourceError } from './rational.ts'
import { toVal, type Val } from './values.ts'
import { setRounding } from './scalar.ts'
import { relate, convert, splitUnit } from './units.ts'
import { evalNumeric } from './numeric.ts'
import { mul as rmul, rat } from './rational.ts'
import type { Node } from './ast.ts'

const DEFAULT_TAGS = { think: 'think', answer: 'answer' }

export interface ParsedAnswer { val: Val, shown: string, key: string, exact: string, unit: string | null }

export function parseAnswer (raw: string, unitLetters = false): ParsedAnswer {
  const n = normalizeAnswer(raw)
  if (n.length === 0) throw new ParseError('empty answer')
  const key = textKey(n)
  const exact = n.replace(/\s+/g, '')
  // a quantity: the value is parsed, the unit kept for mathjs (only answers that end in a known unit)
  const q = mayEndInUnit(n) ? splitUnit(n, unitLetters) : null
  if (q !== null) {
    try {
      const prep = prepare(q.value, tokenize(q.value))
      if (prep.kind === 'math') {
        const node = parseTokens(prep.toks)
        const val = toVal(node)
        if (val.t === 'expr') return { val, shown: show(node) + ' ' + q.unit, key, exact, unit: q.unit }
      }
    } catch (e) {
      if (!(e instanceof ParseError || e instanceof SyntaxError || e instanceof RangeError)) throw e
    }
  }
  const prep = prepare(n, tokenize(n))
  if (prep.kind === 'text') return { val: { t: 'text', s: prep.text }, shown: JSON.stringify(prep.text), key, exact, unit: null }
  const node = parseTokens(prep.toks)
  return { val: toVal(node), shown: show(node), key, exact, unit: null }
}

/** A unit can only end an answer that ends in a letter, a brace or a power 2/3 ("cm}^2"). */
function mayEndInUnit (n: string): boolean {
  const last = n.charCodeAt(n.length - 1)
  return (last >= 65 && last <= 90) || (last >= 97 && last <= 122) || last === 125 || ((last === 50 || last === 51) && n.includes('^'))
}

/** The gold as written, with a surrounding \boxed{} unwrapped; a GSM8K solution's answer after its last "####". */
export function goldText (gold: string): string {
  const hash = gold.lastIndexOf('####')
  if (hash >= 0) return gold.slice(hash + 4).trim()
  const boxes = findBoxes(gold)
  const last = boxes[boxes.length - 1]
  return last?.content ?? gold
}

/** A multiple-choice letter: "B", "(B)", "\\text{(B)}"; with leading, also "(B) 12" and "\\textbf{(B) } 12". */
function choiceLetter (s: string, leading = false): string | null {
  const t = s.replace(/\\(?:text|textbf|mathrm|mbox)\s*\{([^{}]*)\}/g, '$1').replace(/\$/g, '').trim()
  const m = leading ? /^\(([A-E])\)/.exec(t) ?? /^([A-E])$/.exec(t) : /^\(?([A-E])\)?$/.exec(t)
  return m?.[1] ?? null
}

function isList (v: Val): boolean {
  if (v.t === 'eq') return isList(v.value)
  return (v.t === 'list' || v.t === 'set' || v.t === 'system') && (v.t === 'system' ? v.entries.length : v.items.length) > 1
}

/** A gold with one value (a number, an expression, a letter, text): the answer must commit to one value. */
function singleValued (v: Val): boolean {
  if (v.t === 'eq') return v.label !== null && singleValued(v.value)
  if (v.t === 'list') return v.items.length === 1 && singleValued(v.items[0] as Val)
  return v.t === 'expr' || v.t === 'text'
}

const MAX_CANDIDATES = 32

/** The distinct values among the candidates (each parsed; one that does not parse counts as its own text). */
function distinctValues (cands: string[], seed: number): string[] {
  const reps: Array<{ s: string, p: ParsedAnswer | null }> = []
  for (const s of cands.slice(0, MAX_CANDIDATES)) {
    let p: ParsedAnswer | null = null
    try { p = parseAnswer(s) } catch (e) { if (e instanceof ResourceError) throw e }
    const same = reps.some(r => {
      if (r.p === null || p === null) return r.s.replace(/\s+/g, '') === s.replace(/\s+/g, '')
      if (r.p.exact === p.exact) return true
      return compareVal(r.p.val, p.val, rng(seed)).ok && compareVal(p.val, r.p.val, rng(seed)).ok
    })
    if (!same) reps.push({ s, p })
  }
  if (cands.length > MAX_CANDIDATES && reps.length === 1) reps.push({ s: '…', p: null })
  return reps.map(r => r.s)
}

/** The items of a list answer given against a single-valued gold (x = 2 or x = 3, "3, 4"). */
function listItems (v: Val): Val[] | null {
  if (v.t === 'eq' && v.label !== null) return listItems(v.value)
  return v.t === 'list' && v.items.length > 1 ? v.items : null
}

/** Compares two values of which either may carry a unit: same dimension and magnitude, or a bare number. */
function compareWithUnits (g: ParsedAnswer, p: ParsedAnswer, seed: number): { ok: boolean, rule: string } {
  if (g.unit === null || p.unit === null || g.val.t !== 'expr' || p.val.t !== 'expr') {
    const v = compareVal(g.val, p.val, rng(seed))
    return g.unit !== null || p.unit !== null ? { ok: v.ok, rule: v.rule + (v.ok ? '+unit_dropped' : '') } : v
  }
  const r = relate(p.unit, g.unit)
  if ('differ' in r) return { ok: false, rule: 'unit' }
  if ('same' in r) {
    const v = compareVal(g.val, p.val, rng(seed))
    return { ok: v.ok, rule: v.rule + '+unit' }
  }
  if (r.offset) {
    const pv = evalNumeric(p.val.n, new Map())
    const gv = evalNumeric(g.val.n, new Map())
    if (pv.im !== 0 || gv.im !== 0 || !Number.isFinite(pv.re)) return { ok: false, rule: 'unit' }
    const conv = convert(pv.re, p.unit, g.unit)
    return { ok: Math.abs(conv - gv.re) <= 1e-9 * Math.max(1, Math.abs(gv.re)), rule: 'unit_conversion' }
  }
  const k = ratOf(r.factor)
  const scaled: Node = { k: 'mul', args: [{ k: 'num', v: k }, p.val.n] }
  const v = compareVal(g.val, { t: 'expr', n: scaled }, rng(seed))
  return { ok: v.ok, rule: v.ok ? 'unit_conversion' : 'unit' }
}

/** A conversion factor as an exact fraction (1/60, 1609.344 = 201168/125). */
function ratOf (x: number): ReturnType<typeof rat> {
  let [h0, h1, k0, k1] = [0n, 1n, 1n, 0n]
  let y = x
  for (let i = 0; i < 40; i++) {
    const a = Math.floor(y)
    const ab = BigInt(a)
    ;[h0, h1] = [h1, ab * h1 + h0]
    ;[k0, k1] = [k1, ab * k1 + k0]
    if (Math.abs(Number(h1) / Number(k1) - x) <= 1e-13 * Math.abs(x) || k1 > 10n ** 12n) break
    const f = y - a
    if (f < 1e-15) break
    y = 1 / f
  }
  return rmul(rat(h1), rat(1n, k1))
}

/** Whether the gold alone is past the caps (compared with itself, which evaluates it). */
function goldTooLarge (v: Val | null): boolean {
  if (v === null) return true
  try { compareVal(v, v, rng(1)) } catch (e) { return e instanceof ResourceError }
  return false
}

export function checkMathSync (input: MathCheckInput): MathCheckResult {
  const t0 = performance.now()
  const res: MathCheckResult = {
    status: 'ok', equivalent: null, rule: null, gold: { extracted: null, parsed: null }, prediction: { extracted: null, parsed: null }, elapsed_ms: 0
  }
  const done = (r: Partial<MathCheckResult>): MathCheckResult => {
    Object.assign(res, r)
    res.elapsed_ms = Math.round((performance.now() - t0) * 1000) / 1000
    return res
  }
  let goldVal: Val | null = null
  try {
    setRounding(input.rounding === 'gold_precision' ? 'gold_precision' : 'off')
    const g = goldText(input.gold)
    res.gold.extracted = g
    let gold: ParsedAnswer
    try {
      gold = parseAnswer(g)
    } catch (e) {
      if (e instanceof ParseError || e instanceof SyntaxError || e instanceof RangeError) return done({ status: 'unscorable', reason: `gold did not parse: ${(e as Error).message}` })
      throw e
    }
    res.gold.parsed = gold.shown
    goldVal = gold.val
    const single = singleValued(gold.val)
    const ex: Extraction = input.extract
      ? extractAnswer(input.prediction, input.tags ?? DEFAULT_TAGS, isList(gold.val))
      : { answer: goldText(input.prediction), how: 'given' }
    const seed = seedFrom(g, ex.answer ?? '')
    res.prediction.extracted = ex.answer
    if (ex.answer === null) return done({ equivalent: false, rule: 'extraction', reason: `no answer found (${ex.how})` })
    if ((ex.blocks ?? 1) > 1) {
      const distinct = distinctValues(ex.candidates ?? [], seed)
      return done({ equivalent: false, rule: distinct.length > 1 ? 'hedge' : 'answer_tags', reason: `${ex.blocks ?? 0} answer blocks: not a clean answer`, details: { candidates: distinct } })
    }
    // hedging: more than one distinct committed value against a single-valued gold
    if (single && (ex.candidates?.length ?? 0) > 1) {
      const distinct = distinctValues(ex.candidates ?? [], seed)
      if (distinct.length > 1) return done({ equivalent: false, rule: 'hedge', reason: `the completion commits to ${distinct.length} different answers`, details: { candidates: distinct } })
    }
    let pred: ParsedAnswer
    try {
      pred = parseAnswer(ex.answer, gold.unit !== null)
    } catch (e) {
      if (e instanceof ParseError || e instanceof SyntaxError || e instanceof RangeError) {
        return done({ equivalent: false, rule: 'parse', reason: `prediction did not parse: ${(e as Error).message}` })
      }
      throw e
    }
    res.prediction.parsed = pred.shown
    if (ex.retracted !== undefined) {
      for (const r of ex.retracted.split(' ; ')) {
        let neg: ParsedAnswer | null = null
        try { neg = parseAnswer(r) } catch (e) { if (e instanceof ResourceError) throw e }
        if (neg !== null && compareVal(neg.val, pred.val, rng(seed)).ok) {
          return done({ equivalent: false, rule: 'retracted', reason: `the completion later says its answer is not ${r}` })
        }
      }
    }
    const letter = choiceLetter(g)
    if (letter !== null) {
      const picked = choiceLetter(ex.answer, true) ?? choiceLetter(ex.raw ?? '', true)
      if (picked !== null) return done({ equivalent: picked === letter, rule: 'choice' })
    }
    if (gold.val.t === 'text' || pred.val.t === 'text') {
      return done({ equivalent: gold.key === pred.key, rule: 'text' })
    }
    if (single) {
      const items = listItems(pred.val)
      if (items !== null) {
        const shown = items.map(v => v.t === 'expr' ? show(v.n) : JSON.stringify(v))
        const distinct: Val[] = []
        for (const it of items.slice(0, MAX_CANDIDATES)) if (!distinct.some(d => compareVal(d, it, rng(seed)).ok)) distinct.push(it)
        if (distinct.length > 1 || items.length > MAX_CANDIDATES) return done({ equivalent: false, rule: 'hedge', reason: 'a list of answers against a single-valued gold', details: { candidates: shown } })
        pred = { ...pred, val: distinct[0] as Val }
      }
    }
    const v = compareWithUnits(gold, pred, seed)
    if (!v.ok && gold.exact === pred.exact) return done({ equivalent: true, rule: 'identical' })
    return done({ equivalent: v.ok, rule: v.rule })
  } catch (e) {
    if (e instanceof ResourceError) {
      // only a gold that cannot be evaluated is unscorable; a prediction too large to check is not right
      if (res.gold.parsed === null || goldTooLarge(goldVal)) return done({ status: 'unscorable', equivalent: null, rule: null, reason: `gold too large to check: ${e.message}` })
      return done({ status: 'ok', equivalent: false, rule: 'too_large', reason: `prediction too large to check: ${e.message}` })
    }
    return done({ status: 'error', equivalent: null, rule: null, reason: `internal error: ${(e as Error).message}` })
  }
}
