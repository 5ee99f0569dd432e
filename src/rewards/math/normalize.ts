/**
 * String-level clean-up of an answer before tokenising: delimiters, spacing commands, fraction variants,
 * thousands separators, degree and percent marks, unicode symbols. Nothing here interprets the math.
 */
import { ResourceError } from './rational.ts'

/** Longest answer (after extraction) that is parsed at all. */
export const MAX_ANSWER_CHARS = 4000

const UNICODE: Array<[RegExp, string]> = [
  [/[−–—]/g, '-'], [/×/g, '\\times '], [/÷/g, '\\div '], [/·/g, '\\cdot '], [/≤/g, '\\le '], [/≥/g, '\\ge '],
  [/≠/g, '\\ne '], [/≈/g, '\\approx '], [/√/g, '\\sqrt '], [/π/g, '\\pi '], [/∞/g, '\\infty '], [/²/g, '^2'],
  [/³/g, '^3'], [/°/g, '\\deg '], [/∪/g, '\\cup '], [/∩/g, '\\cap '], [/±/g, '\\pm '], [/∈/g, '\\in '],
  [/[\u2009\u202f\u00a0\u2002\u2003]/g, ' '], [/€|£|¥|₹/g, ' ']
]

const REPLACEMENTS: Array<[RegExp, string]> = [
  [/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)\s*(\\?[()[\]|.{}]|\\[lr]?[vV]ert|\\langle|\\rangle|\\lbrace|\\rbrace|\\lbrack|\\rbrack|\\lfloor|\\rfloor|\\lceil|\\rceil)/g, '$1'],
  [/\\(?:left|right)\./g, ' '],
  [/\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits|mathstrut|strut)/g, ' '],
  [/\\(?:hspace|vspace|phantom|hphantom|vphantom)\*?\{[^{}]*\}/g, ' '],
  // presentation only: colour is dropped, struck-out (cancelled) content is not part of the answer
  [/\\(?:textcolor|colorbox)\s*\{[^{}]*\}/g, ' '], [/\\color\s*\{[^{}]*\}/g, ' '],
  [/\\(?:cancel|bcancel|xcancel|sout|st)\s*\{[^{}]*\}/g, ' '],
  [/\\(?:q?quad|[,;:!> ]|enspace|thinspace|medspace|negthinspace)/g, ' '],
  [/~/g, ' '],
  [/\\[dtc]frac/g, '\\frac'], [/\\[dt]binom/g, '\\binom'],
  [/\\lbrace/g, '\\{'], [/\\rbrace/g, '\\}'], [/\\lbrack/g, '['], [/\\rbrack/g, ']'],
  [/\\[lr]?vert/g, '|'], [/\\[lr]Vert/g, '|'],
  [/\\%/g, '%'],
  [/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree/g, '\\deg '],
  [/\\\$/g, ' '], [/\$/g, ' '],
  [/\\[()[\]]/g, ' '],
  [/\\dots|\\ldots|\\cdots/g, ' '],
  [/\*\*/g, '^']
]

/** Throws ResourceError when the answer is too long to be worth parsing. */
export function normalizeAnswer (input: string): string {
  if (input.length > MAX_ANSWER_CHARS) throw new ResourceError(`answer longer than ${MAX_ANSWER_CHARS} characters`)
  let s = input
  for (const [re, to] of UNICODE) s = s.replace(re, to)
  s = s.replace(/\\\\(\[[^\]]*\])?/g, ' \u0002 ')
  // explicit thousands separators: 10,\!080  14{,}916  11,\! 111
  s = s.replace(/(\d)\s*(?:\{\s*,\s*\}|,\s*\\!)\s*(?=\d{3}(?!\d))/g, '$1')
  for (const [re, to] of REPLACEMENTS) s = s.replace(re, to)
  s = joinThousands(s)
  s = s.replace(/\s+/g, ' ').trim()
  s = s.replace(/^(?:[\s,;:]|\.(?!\d))+|[\s.,;:]+$/g, '')
  return s
}

/** Joins "7,425,000" and "1 000" outside brackets; "1,22" and "32, 349" stay lists. */
function joinThousands (s: string): string {
  let out = ''
  let depth = 0
  let i = 0
  const re = /^(\d{1,3})((?:,\d{3})+|(?: \d{3})+)(?![\d])(?!,\d)/
  while (i < s.length) {
    const c = s[i] as string
    if (c === '(' || c === '[' || c === '{') depth++
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1)
    const prev = i > 0 ? s[i - 1] as string : ''
    if (/\d/.test(c) && !/[\d.,_^]/.test(prev) && !(prev === ' ' && /[\d]/.test(s[i - 2] ?? ''))) {
      const m = re.exec(s.slice(i, i + 64))
      if (m !== null && depth === 0 && m[1] !== '0') {
        out += (m[1] ?? '') + (m[2] ?? '').replace(/[ ,]/g, '')
        i += m[0].length
        continue
      }
    }
    out += c
    i++
  }
  return out
}
