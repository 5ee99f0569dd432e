/** Tokens of a normalised answer. Letters are single-letter identifiers unless they spell a known word. */
import { ResourceError } from './rational.ts'

export type Tok =
  | { t: 'num', s: string, sp: boolean, rep?: string }
  | { t: 'id', s: string, sp: boolean }
  | { t: 'cmd', s: string, sp: boolean }
  | { t: 'op', s: string, sp: boolean }
  | { t: 'text', s: string, sp: boolean }
  | { t: 'word', s: string, sp: boolean }

export const MAX_TOKENS = 3000

/** Letter runs read as one name in plain text (sin, sqrt, pi, ...). */
export const NAMED = new Set([
  'sin', 'cos', 'tan', 'sec', 'csc', 'cot', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'ln', 'log',
  'exp', 'sqrt', 'pi', 'infty', 'inf', 'infinity', 'abs', 'gcd', 'lcm', 'max', 'min', 'mod', 'det'
])
/** Words that carry meaning (connectors, percent, degrees, multipliers); other words are units or text. */
export const MEANING_WORDS = new Set([
  'and', 'or', 'percent', 'pct', 'percentage', 'degrees', 'degree', 'deg', 'thousand', 'million', 'billion',
  'trillion'
])

const TEXT_CMDS = new Set(['text', 'textbf', 'textit', 'textrm', 'textnormal', 'mbox', 'textsf', 'texttt', 'hbox', 'emph'])

export function tokenize (s: string): Tok[] {
  const out: Tok[] = []
  let i = 0
  let sp = false
  const push = (tok: Tok): void => {
    out.push(tok)
    sp = false
    if (out.length > MAX_TOKENS) throw new ResourceError('too many tokens')
  }
  while (i < s.length) {
    const c = s[i] as string
    if (c === '\u0002') { push({ t: 'op', s: '\\\\', sp }); i++; continue }
    if (/\s/.test(c)) { sp = true; i++; continue }
    if (/\d/.test(c) || (c === '.' && /\d/.test(s[i + 1] ?? ''))) {
      const m = /^\d*(?:\.\d*)?/.exec(s.slice(i, i + 5000))
      let lit = m?.[0] ?? c
      i += lit.length
      // repeating decimal: 0.\overline{3}, 1.2\overline{45}
      const rep = /^\s*\\(?:overline|bar)\s*\{\s*(\d+)\s*\}/.exec(s.slice(i, i + 64))
      if (rep !== null && lit.includes('.')) {
        i += rep[0].length
        push({ t: 'num', s: lit, sp, rep: rep[1] ?? '' })
        continue
      }
      // scientific notation in plain text: 3.2e5, 1E-3
      const sci = /^[eE]([+-]?\d+)(?![\d.a-zA-Z])/.exec(s.slice(i, i + 12))
      if (sci !== null && /\d/.test(lit)) {
        i += sci[0].length
        push({ t: 'num', s: lit, sp })
        push({ t: 'op', s: '*', sp: false })
        push({ t: 'num', s: '10', sp: false })
        push({ t: 'op', s: '^', sp: false })
        push({ t: 'num', s: sci[1]?.replace('+', '') ?? '0', sp: false })
        continue
      }
      if (lit.endsWith('.') && lit.length > 1) lit = lit.slice(0, -1) + ''
      push({ t: 'num', s: lit, sp })
      continue
    }
    if (/[A-Za-z]/.test(c)) {
      const m = /^[A-Za-z]+/.exec(s.slice(i, i + 200))
      const run = m?.[0] ?? c
      i += run.length
      const low = run.toLowerCase()
      const prev = out[out.length - 1]
      const prev2 = out[out.length - 2]
      if (run.length > 1 && prev?.t === 'op' && prev.s === '{' && prev2?.t === 'op' && prev2.s === '_') push({ t: 'id', s: run, sp })
      else if (run.length > 1 && NAMED.has(low)) push({ t: 'cmd', s: low, sp })
      else if (run.length > 1 && MEANING_WORDS.has(low)) push({ t: 'word', s: low, sp })
      else if (run.length >= 2 && UNIT_WORDS.has(low)) push({ t: 'word', s: low, sp })
      else if (run.length > 2) push({ t: 'word', s: run, sp })
      else for (const ch of run) push({ t: 'id', s: ch, sp })
      continue
    }
    if (c === '\\') {
      const m = /^\\([A-Za-z]+)/.exec(s.slice(i, i + 40))
      if (m === null) {
        const nx = s[i + 1] ?? ''
        i += 2
        if (nx === '\\') push({ t: 'op', s: '\\\\', sp })
        else if (nx === '{' || nx === '}') push({ t: 'op', s: '\\' + nx, sp })
        else if (nx === '|') push({ t: 'op', s: '|', sp })
        else sp = true
        continue
      }
      const name = m[1] as string
      i += m[0].length
      if (TEXT_CMDS.has(name) || name === 'mathrm' || name === 'operatorname' || name === 'mathit' || name === 'mathbf') {
        const body = readGroup(s, i)
        i = body.end
        if (name === 'mathrm' || name === 'operatorname' || name === 'mathit' || name === 'mathbf') {
          const inner = body.text.trim()
          if (/^[A-Za-z]+$/.test(inner) && inner.length > 1) {
            const low = inner.toLowerCase()
            push(NAMED.has(low) ? { t: 'cmd', s: low, sp } : { t: 'word', s: inner, sp })
          } else {
            out.push(...tokenize(inner).map((x, k) => k === 0 ? { ...x, sp } : x))
            sp = false
          }
        } else push({ t: 'text', s: body.text, sp })
        continue
      }
      if (name === 'begin' || name === 'end') {
        const env = readGroup(s, i)
        i = env.end
        push({ t: 'cmd', s: name, sp })
        push({ t: 'op', s: '{', sp: false })
        push({ t: 'id', s: env.text.trim(), sp: false })
        push({ t: 'op', s: '}', sp: false })
        continue
      }
      push({ t: 'cmd', s: name, sp })
      continue
    }
    const two = s.slice(i, i + 2)
    if (['<=', '>=', '!=', '==', '=<', '=>', '<>'].includes(two)) {
      const map: Record<string, string> = { '<=': 'le', '=<': 'le', '>=': 'ge', '=>': 'ge', '!=': 'ne', '<>': 'ne', '==': '=' }
      i += 2
      push({ t: 'op', s: map[two] ?? two, sp })
      continue
    }
    i++
    if (c === '<') push({ t: 'op', s: 'lt', sp })
    else if (c === '>') push({ t: 'op', s: 'gt', sp })
    else push({ t: 'op', s: c, sp })
  }
  return out
}

/** Reads a {group} (or a single character) starting at i; returns its raw text and the index after it. */
export function readGroup (s: string, i: number): { text: string, end: number } {
  while (s[i] === ' ') i++
  if (s[i] !== '{') return { text: s[i] ?? '', end: i + 1 }
  let depth = 0
  for (let j = i; j < s.length; j++) {
    if (s[j] === '\\') { j++; continue }
    if (s[j] === '{') depth++
    else if (s[j] === '}') {
      depth--
      if (depth === 0) return { text: s.slice(i + 1, j), end: j + 1 }
    }
  }
  return { text: s.slice(i + 1), end: s.length }
}

/** Unit and filler words dropped next to a number ("864 square inches", "36 dollars"). */
export const UNIT_WORDS = new Set([
  'cm', 'mm', 'km', 'kg', 'mg', 'ml', 'units', 'unit', 'square', 'cubic', 'inches', 'inch', 'feet', 'foot',
  'ft', 'meters', 'meter', 'metres', 'metre', 'miles', 'mile', 'mph', 'dollars', 'dollar', 'cents', 'cent',
  'yuan', 'euros', 'euro', 'hours', 'hour', 'minutes', 'minute', 'seconds', 'second', 'days', 'day', 'weeks',
  'years', 'year', 'months', 'grams', 'gram', 'liters', 'litres', 'sq', 'yards', 'yd', 'points', 'people',
  'students', 'ways', 'cups', 'cup', 'gallons', 'pounds', 'lbs', 'oz', 'ounces', 'kilometers', 'centimeters',
  'millimeters', 'hrs', 'min', 'sec', 'secs', 'mins', 'times', 'items', 'boxes', 'pieces', 'apples', 'men',
  'women', 'books', 'marbles', 'tickets'
])
