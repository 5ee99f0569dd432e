/**
 * Reads the meaning of words and \text{} pieces before parsing: connectors (and/or) become list commas,
 * percent and degree words become marks, "million" a multiplier, units are dropped. An answer made of
 * other words is text, compared as text.
 */
import { MEANING_WORDS, UNIT_WORDS, tokenize, type Tok } from './lexer.ts'

export type Prepared = { kind: 'math', toks: Tok[] } | { kind: 'text', text: string }

const MULTIPLIERS: Record<string, string> = { thousand: '1000', million: '1000000', billion: '1000000000', trillion: '1000000000000' }
const FILLER = new Set(['is', 'the', 'answer', 'final', 'approximately', 'about', 'exactly', 'only', 'so', 'thus', 'therefore', 'are', 'of', 'be', 'total', 'at', 'most', 'least'])

export function textKey (s: string): string {
  return s.toLowerCase()
    .replace(/\\(?:text|textbf|textit|mbox|textnormal|textrm|mathrm|operatorname|mathbf)\s*/g, '')
    .replace(/\\[a-z]+/g, ' ')
    .replace(/[{}$\s"'`*]/g, '')
    .replace(/^\((.*)\)$/, '$1')
    .replace(/[.,;:!]+$/, '')
}

function wordsOf (s: string): string[] {
  return s.toLowerCase().split(/[^a-z.]+/).map(w => w.replace(/\.+$/, '')).filter(w => w.length > 0)
}

/** Classifies a group of words: how it acts inside a math answer. */
function classify (words: string[]): 'and' | 'pct' | 'deg' | 'mult' | 'unit' | 'text' {
  if (words.length === 0) return 'unit'
  if (words.some(w => w === 'and' || w === 'or')) return 'and'
  if (words.some(w => w === 'percent' || w === 'pct' || w === 'percentage')) return 'pct'
  if (words.some(w => w === 'degrees' || w === 'degree' || w === 'deg')) return 'deg'
  if (words.length === 1 && MULTIPLIERS[words[0] as string] !== undefined) return 'mult'
  if (words.every(w => UNIT_WORDS.has(w) || FILLER.has(w))) return 'unit'
  return 'text'
}

export function prepare (raw: string, toks: Tok[]): Prepared {
  const out: Tok[] = []
  let texty = false
  let mathy = false
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i] as Tok
    if (tok.t !== 'text' && tok.t !== 'word') {
      mathy = true
      out.push(tok)
      continue
    }
    const inner = tok.s.trim()
    if (tok.t === 'text' && /^[\s\d.,()+\-/A-Ea-e]*$/.test(inner) && inner.length > 0 && !/^[A-Za-z]{2,}$/.test(inner)) {
      // \text{9}, \text{(C)}
      out.push(...tokenize(inner))
      mathy = true
      continue
    }
    const words = wordsOf(inner)
    const kind = tok.t === 'word' && MEANING_WORDS.has(inner.toLowerCase()) ? classify([inner.toLowerCase()]) : classify(words)
    const sp = tok.sp
    if (kind === 'and') out.push({ t: 'op', s: ',', sp })
    else if (kind === 'pct') out.push({ t: 'op', s: '%', sp })
    else if (kind === 'deg') out.push({ t: 'cmd', s: 'deg', sp })
    else if (kind === 'mult') out.push({ t: 'op', s: '*', sp }, { t: 'num', s: MULTIPLIERS[words[0] as string] ?? '1', sp })
    else if (kind === 'text') texty = true
    else i = skipPower(toks, i)
  }
  if (texty || (!mathy && out.length === 0)) return { kind: 'text', text: textKey(raw) }
  return { kind: 'math', toks: trimUnitLetters(out) }
}

/** After a dropped unit, also drops its power ("\\mbox{ cm}^2"); returns the last index consumed. */
function skipPower (toks: Tok[], i: number): number {
  const nx = toks[i + 1]
  if (nx?.t !== 'op' || nx.s !== '^') return i
  const arg = toks[i + 2]
  if (arg?.t === 'op' && arg.s === '{') {
    let j = i + 2
    while (j < toks.length && !(toks[j]?.t === 'op' && toks[j]?.s === '}')) j++
    return j
  }
  return i + 2
}

/** "1000.99m^2", "5 cm": a single unit letter with a power right after a number at the end is a unit. */
function trimUnitLetters (toks: Tok[]): Tok[] {
  const n = toks.length
  const a = toks[n - 3]
  const b = toks[n - 2]
  const c = toks[n - 1]
  if (n >= 4 && a?.t === 'id' && b?.t === 'op' && b.s === '^' && c?.t === 'num' && (c.s === '2' || c.s === '3') &&
    toks[n - 4]?.t === 'num' && /^[mgs]$/.test(a.s)) return toks.slice(0, n - 3)
  return toks
}
