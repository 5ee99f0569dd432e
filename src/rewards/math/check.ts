/** One math check, synchronously, in the calling thread: extract, parse both sides, compare. */
import type { MathCheckInput, MathCheckResult } from './api.ts'
import { show } from './ast.ts'
import { compareVal } from './compare.ts'
import { extractAnswer, findBoxes } from './extract.ts'
import { tokenize } from './lexer.ts'
import { normalizeAnswer } from './normalize.ts'
import { ParseError, parseTokens } from './parser.ts'
import { prepare, textKey } from './prepare.ts'
import { rng, seedFrom } from './random.ts'
import { ResourceError } from './rational.ts'
import { toVal, type Val } from './values.ts'

const DEFAULT_TAGS = { think: 'think', answer: 'answer' }

export interface ParsedAnswer { val: Val, shown: string, key: string, exact: string }

export function parseAnswer (raw: string): ParsedAnswer {
  const n = normalizeAnswer(raw)
  if (n.length === 0) throw new ParseError('empty answer')
  const key = textKey(n)
  const exact = n.replace(/\s+/g, '')
  const prep = prepare(n, tokenize(n))
  if (prep.kind === 'text') return { val: { t: 'text', s: prep.text }, shown: JSON.stringify(prep.text), key, exact }
  const node = parseTokens(prep.toks)
  return { val: toVal(node), shown: show(node), key, exact }
}

/** The gold as written, with a surrounding \boxed{} unwrapped. */
export function goldText (gold: string): string {
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
  try {
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
    const ex = input.extract
      ? extractAnswer(input.prediction, input.tags ?? DEFAULT_TAGS, isList(gold.val))
      : { answer: goldText(input.prediction), how: 'given' }
    res.prediction.extracted = ex.answer
    if (ex.answer === null) return done({ equivalent: false, rule: 'extraction', reason: `no answer found (${ex.how})` })
    let pred: ParsedAnswer
    try {
      pred = parseAnswer(ex.answer)
    } catch (e) {
      if (e instanceof ParseError || e instanceof SyntaxError || e instanceof RangeError) {
        return done({ equivalent: false, rule: 'parse', reason: `prediction did not parse: ${(e as Error).message}` })
      }
      throw e
    }
    res.prediction.parsed = pred.shown
    if (gold.val.t === 'text' || pred.val.t === 'text') {
      return done({ equivalent: gold.key === pred.key, rule: 'text' })
    }
    const letter = choiceLetter(g)
    if (letter !== null) {
      const picked = choiceLetter(ex.answer, true)
      if (picked !== null) return done({ equivalent: picked === letter, rule: 'choice' })
    }
    const v = compareVal(gold.val, pred.val, rng(seedFrom(g, ex.answer)))
    if (!v.ok && gold.exact === pred.exact) return done({ equivalent: true, rule: 'identical' })
    return done({ equivalent: v.ok, rule: v.rule })
  } catch (e) {
    if (e instanceof ResourceError) return done({ status: 'unscorable', equivalent: null, rule: null, reason: `too large to check: ${e.message}` })
    return done({ status: 'error', equivalent: null, rule: null, reason: `internal error: ${(e as Error).message}` })
  }
}
