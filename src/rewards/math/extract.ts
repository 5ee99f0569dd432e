/**
 * Answer extraction from a completion. The rules, in order (also in README.md):
 * 1. With an <answer>…</answer> body, only the body is read (rules 3-5 inside it; the whole body otherwise).
 * 2. Without one, text inside <think>…</think> is dropped (an unclosed <think> hides everything after it).
 * 3. The last answer marker wins: a \boxed{}/\fbox{} with balanced braces, or "final answer is …",
 *    whichever starts later. A truncated \boxed{ after every other marker means no answer.
 * 4. Boxes at the end joined only by connectors (and, or, commas, \quad) form one list answer when the gold is
 *    a list, or when they are joined by "or" (a hedge, judged as a list).
 * 5. Without a marker, the last sentence is read: the part after its last "is/are/was/equals/:", then its
 *    last math segment ($…$, \(…\), \[…\]), or the whole part when short, or its last number.
 */
import { ResourceError } from './rational.ts'
import { isUnitWord } from './units.ts'
import type { TemplateTags } from '../types.ts'

export const MAX_COMPLETION_CHARS = 512 * 1024

export interface Extraction {
  answer: string | null
  how: string
  /** Every value the completion commits to where the answer is read (boxes, answer tags, answer statements); hedge check. */
  candidates?: string[]
  /** The statement the answer was read from, before its math was picked ("(A) $\\frac34$"). */
  raw?: string
  /** A committed value the completion later negates ("..., not 12"). */
  retracted?: string
  /** More than one <answer> block: not a clean answer, whatever they hold. */
  blocks?: number
}

export function extractAnswer (text: string, tags: TemplateTags, goldIsList: boolean): Extraction {
  if (text.length > MAX_COMPLETION_CHARS) throw new ResourceError(`completion longer than ${MAX_COMPLETION_CHARS} characters`)
  const bodies = answerBodies(text, tags.answer, tags.think)
  if (bodies.length > 0) {
    const read = bodies.map(b => fromAnswerBody(b, goldIsList))
    const last = read[read.length - 1] as Extraction
    if (read.length === 1) return last
    // several answer blocks: every one is a committed answer
    const candidates = read.flatMap(r => r.candidates ?? (r.answer === null ? [] : [r.answer]))
    return { ...last, how: 'answer_tags', candidates, blocks: bodies.length }
  }
  let rest = dropThink(text, tags.think)
  const special = rest.search(/<\|(?:im_start|im_end|endoftext|eot_id)\|>/)
  if (special >= 0) rest = rest.slice(0, special)
  if (rest.trim().length === 0) return { answer: null, how: 'nothing_outside_think' }
  const r = fromMarkers(rest, goldIsList)
  if (r !== null) return r
  const plain = plainFallback(rest)
  return plain ?? { answer: null, how: 'no_answer' }
}

function fromAnswerBody (body: string, goldIsList: boolean): Extraction {
  const r = fromMarkers(body, goldIsList)
  if (r !== null) return { ...r, how: 'answer_tag+' + r.how }
  const s = body.trim()
  if (s.length === 0) return { answer: null, how: 'empty_answer_tag' }
  const plain = plainFallback(s)
  return { ...(plain ?? { answer: s }), how: 'answer_tag' }
}

/** Bodies of every complete <answer>…</answer> block outside the think block, in order. */
function answerBodies (text: string, tag: string, think: string): string[] {
  const open = `<${tag}>`
  const close = `</${tag}>`
  const end = text.lastIndexOf(close)
  if (end < 0) return []
  const start = text.lastIndexOf(open, end)
  if (start < 0) return []
  const out = [text.slice(start + open.length, end)]
  // earlier blocks (bounded: a completion is at most 512 KiB and each block is found once)
  let before = start
  const thinkEnd = text.lastIndexOf(`</${think}>`, start)
  for (let k = 0; k < 64; k++) {
    const e = text.lastIndexOf(close, before)
    if (e < 0 || e < thinkEnd) break
    const st = text.lastIndexOf(open, e)
    if (st < 0) break
    out.unshift(text.slice(st + open.length, e))
    before = st
  }
  return out
}

function dropThink (text: string, tag: string): string {
  const close = `</${tag}>`
  const end = text.lastIndexOf(close)
  if (end >= 0) return text.slice(end + close.length)
  const open = text.indexOf(`<${tag}>`)
  return open >= 0 ? text.slice(0, open) : text
}

interface Box { start: number, end: number, content: string | null }

/** All \boxed{…} / \fbox{…} occurrences; content null when the braces never close. */
export function findBoxes (text: string): Box[] {
  const out: Box[] = []
  const re = /\\(?:boxed|fbox)\s*\{/g
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    let depth = 1
    let j = m.index + m[0].length
    for (; j < text.length && depth > 0; j++) {
      const ch = text[j]
      if (ch === '\\') { j++; continue }
      if (ch === '{') depth++
      else if (ch === '}') depth--
    }
    const content = depth === 0 ? text.slice(m.index + m[0].length, j - 1) : null
    out.push({ start: m.index, end: j, content })
    re.lastIndex = depth === 0 ? j : text.length
  }
  return out
}

/** Boxes that are not answers: empty, placeholders, or an echoed instruction ("put your answer in \boxed{}"). */
function isAnswerBox (text: string, b: Box): boolean {
  const c = (b.content ?? '').replace(/\\(?:h|v)?phantom\s*\{[^{}]*\}|\\[,;!: ]|~|\s/g, '')
  if (c.length === 0 || /^(?:\.\.\.|\\[lc]?dots|\?+|_+|answer|youranswer|yourfinalanswer|finalanswer|\\text\{[^{}]*answer[^{}]*\})$/i.test(c)) return false
  const before = text.slice(Math.max(0, b.start - 60), b.start)
  return !/\b(?:put|place|write|enclose|present|format|give|wrap)\b[^.\n]{0,40}\b(?:in|within|inside|as|using)\s*(?:a\s+|the\s+)?\$?\s*$/i.test(before)
}

const FINAL_RE = /final answer is\s*:?|####/gi

function fromMarkers (text: string, goldIsList: boolean): Extraction | null {
  const boxes = findBoxes(text)
  let fa = -1
  let faEnd = -1
  const finals: string[] = []
  FINAL_RE.lastIndex = 0
  for (let m = FINAL_RE.exec(text); m !== null; m = FINAL_RE.exec(text)) {
    fa = m.index; faEnd = m.index + m[0].length
    finals.push(statement(text.slice(faEnd, faEnd + 4000)).answer)
  }
  const last = boxes[boxes.length - 1]
  if (last !== undefined && last.content === null && last.start > fa) return { answer: null, how: 'truncated_box' }
  const complete = boxes.filter(b => b.content !== null && isAnswerBox(text, b))
  const lastBox = complete[complete.length - 1]
  if (fa >= 0 && (lastBox === undefined || fa > lastBox.start)) {
    const st = statement(text.slice(faEnd, faEnd + 4000))
    return withRetraction({ answer: st.answer, raw: st.raw, how: 'final_answer_is', candidates: finals.filter(f => f.length > 0) }, text, faEnd)
  }
  if (lastBox === undefined) return null
  // trailing boxes joined by connectors
  const run: Box[] = [lastBox]
  let hedge = false
  for (let k = complete.length - 2; k >= 0; k--) {
    const b = complete[k] as Box
    const gap = text.slice(b.end, (run[0] as Box).start)
    const g = connectorGap(gap)
    if (g === null) break
    if (g === 'or') hedge = true
    run.unshift(b)
  }
  const candidates = complete.map(b => b.content ?? '')
  if (run.length > 1 && (goldIsList || hedge)) {
    return withRetraction({ answer: run.map(b => b.content ?? '').join(' , '), how: 'boxes', candidates }, text, lastBox.end)
  }
  return withRetraction({ answer: lastBox.content, how: 'boxed', candidates }, text, lastBox.end)
}

/** "..., not 12": the committed value appears negated after it. */
function withRetraction (r: Extraction, text: string, from: number): Extraction {
  if (r.answer === null) return r
  const after = text.slice(from, from + 2000)
  const re = /(?:\bnot|\bisn't|\bisn’t|\brather than|\binstead of|\\neq|\\ne(?![a-z])|≠)\s*(?:equal to\s*|to\s*)?\$?\s*(-?\d[\d,]*(?:\.\d+)?(?:\/\d+)?|\\frac\s*\{[^{}]*\}\s*\{[^{}]*\})/gi
  const wrong = /(?:^|[\s$(])(-?\d[\d,]*(?:\.\d+)?(?:\/\d+)?)\$?\s+(?:is|was)\s+(?:wrong|incorrect|not correct|not right|not the answer)/gi
  for (const rx of [re, wrong]) {
    for (let m = rx.exec(after); m !== null; m = rx.exec(after)) {
      const v = m[1]
      if (v !== undefined) { r.retracted = r.retracted === undefined ? v : r.retracted + ' ; ' + v }
    }
  }
  return r
}

/** null when the gap between two boxes is more than connectors; 'or' when it hedges. */
function connectorGap (gap: string): 'and' | 'or' | null {
  if (gap.length > 80) return null
  const words = gap.replace(/\\(?:text|mbox|textbf)\s*\{([^{}]*)\}/g, ' $1 ')
    .replace(/\\[()[\]]|\$|\\q?quad|\\[,;!]|[,;.\s]/g, ' ')
    .replace(/\b(?:and|or|for|part|\([a-z]\))\b/gi, m => ' ' + m.toLowerCase() + ' ')
  const hasOr = /\bor\b/.test(words)
  const rest = words.replace(/\b(?:and|or|for part \([a-z]\)|for part)\b/g, ' ').replace(/[a-zA-Z]_\{?\w+\}?\s*=|[a-zA-Z]\s*=/g, ' ').trim()
  if (rest.length > 20) return null
  return hasOr ? 'or' : 'and'
}

interface Seg { start: number, end: number, body: string }

/** Math segments $…$, $$…$$, \(…\), \[…\] (escaped \$ is not a delimiter). */
export function mathSegments (s: string): Seg[] {
  const out: Seg[] = []
  let i = 0
  while (i < s.length) {
    const ch = s[i]
    if (ch === '\\' && (s[i + 1] === '(' || s[i + 1] === '[')) {
      const closer = s[i + 1] === '(' ? '\\)' : '\\]'
      const j = s.indexOf(closer, i + 2)
      if (j < 0) { i += 2; continue }
      out.push({ start: i, end: j + 2, body: s.slice(i + 2, j) })
      i = j + 2
      continue
    }
    if (ch === '\\') { i += 2; continue }
    if (ch === '$') {
      const dbl = s[i + 1] === '$'
      const open = dbl ? 2 : 1
      // a single $ after a space and before a digit starts an amount, never closes math: in "$18 and then $2"
      // both are currency
      let j = i + open
      while (j < s.length) {
        if (s[j] === '\\') { j += 2; continue }
        if (s[j] === '$' && !dbl && /\s/.test(s[j - 1] ?? ' ') && /\d/.test(s[j + 1] ?? '')) { j = s.length; break }
        if (s[j] === '$') break
        j++
      }
      if (j >= s.length) { i += open; continue }
      out.push({ start: i, end: j + open, body: s.slice(i + open, j) })
      i = j + open
      continue
    }
    i++
  }
  return out
}

/** The sentence that starts at the beginning of s (up to ". ", a newline or "I hope"): its math, and the sentence. */
function statement (s: string): { answer: string, raw: string } {
  const segs = mathSegments(s)
  let end = s.length
  for (let i = 0; i < s.length; i++) {
    const inSeg = segs.some(g => i >= g.start && i < g.end)
    if (inSeg) continue
    if (s[i] === '\n' && i > 0 && s.slice(0, i).trim().length > 0) { end = i; break }
    if (s[i] === '.' && (i + 1 >= s.length || /\s/.test(s[i + 1] ?? '')) && s.slice(0, i).trim().length > 0) { end = i; break }
  }
  let r = s.slice(0, end).replace(/I hope it is correct.*$/is, '').trim()
  r = r.replace(/\\"/g, '').replace(/^["']+|["']+$/g, '').trim()
  return { answer: pickMath(r), raw: r }
}

/** The math of a short statement: all of it when it is only math and connectors, else its last segment. */
function pickMath (r: string): string {
  const segs = mathSegments(r)
  if (segs.length === 0) return r
  let outside = ''
  let last = 0
  for (const g of segs) { outside += r.slice(last, g.start); last = g.end }
  outside += r.slice(last)
  const outWords = outside.replace(/\\text\{[^{}]*\}/g, ' ').replace(/[\s,.;:!"'()]|\band\b|\bor\b/gi, '')
  if (outWords.length === 0) return r.replace(/\$\$?|\\[()[\]]/g, ' ').trim()
  const g = segs[segs.length - 1] as Seg
  const tail = r.slice(g.end).trim()
  const suffix = /^(%|percent\b|pct\b)/i.exec(tail)?.[0] ?? ''
  return g.body.trim() + (suffix.length > 0 ? ' ' + suffix : '')
}

/** Rule 5: the last sentence of a completion without markers; every "answer is …" sentence is a candidate. */
export function plainFallback (text: string): Extraction | null {
  const t = text.replace(/I hope it is correct\.?/gi, ' ').replace(/\*\*|__/g, '')
    // a parenthesis that echoes the instruction: "(Put your answer in \boxed{}.)"
    .replace(/\([^()]{0,80}\\boxed\s*\{[^{}]{0,20}\}[^()]{0,20}\)/g, m => echoOnly(m) ? ' ' : m)
    .trim()
  if (t.length === 0) return null
  // sentences that only echo the prompt's instruction (an empty or placeholder box) are skipped
  const sentences = splitSentences(t).map(x => x.trim()).filter(x => x.replace(/[.\s]/g, '').length > 0 && !echoOnly(x))
  const s = sentences[sentences.length - 1]
  if (s === undefined) return null
  const read = readSentence(s)
  if (read === null) return null
  const candidates: string[] = []
  for (const x of sentences.slice(-40, -1)) {
    if (!/\banswers?\b[^.]{0,30}?(?:\bis\b|\bare\b|\bwas\b|:)|\balternatively\b/i.test(x)) continue
    const r = readSentence(x)
    if (r !== null) candidates.push(...(r.candidates ?? [r.answer ?? '']))
  }
  candidates.push(...(read.candidates ?? [read.answer ?? '']))
  return { ...read, how: 'final_statement', candidates: candidates.filter(c => c.length > 0) }
}

function echoOnly (s: string): boolean {
  const boxes = findBoxes(s)
  return boxes.length > 0 && boxes.every(b => b.content === null || !isAnswerBox(s, b))
}

function readSentence (s: string): Extraction | null {
  const segs = mathSegments(s)
  const marker = /\s(?:is|are|was|equals|get|gives)\s|:\s/gi
  let cut = -1
  for (let m = marker.exec(s); m !== null; m = marker.exec(s)) {
    if (!segs.some(g => m !== null && m.index >= g.start && m.index < g.end)) cut = m.index + m[0].length
  }
  const after = cut >= 0 ? s.slice(cut) : s
  if (cut < 0 || /\d|\$|\\[([]/.test(after)) return readPart(after)
  // "x \geq 5 is the solution": the math before the marker; "The option is (B).": the short part after it
  if (segs.length > 0) return readPart(s)
  const short = after.trim().replace(/[.\s]+$/, '')
  if (short.length > 0 && short.split(/\s+/).length <= 3) return { answer: short, how: 'final_statement', raw: short }
  return readPart(s)
}

const NEGATION_BEFORE = /(?:\bnot|n't|\bnever|\brather than|\binstead of|\bno longer)\s*(?:equal to\s*|to\s*|be\s*)?\$?\s*$/i
const NUMBER_RE = /-?\\?\$?\d(?:\d|,(?=\d{3}))*(?:\.\d+)?(?:\/\d+)?\s?%?/g
/** What may stand between two candidates of a list in prose: "1, 2, ..., 9", "3 or 4", "between 3 and 5". */
const LIST_GAP = /^\s*(?:,|;|\/|or|and|to|through|,\s*or|,\s*and|(?:,\s*)?(?:\.\.\.|…|\\[lc]?dots)(?:\s*,)?|either)\s*$/i

function readPart (part: string): Extraction | null {
  const whole = part.trim().replace(/[.\s]+$/, '')
  // "10, not 12": the negated value is dropped; "not 12" alone answers nothing
  const r = whole.replace(/,?\s*\b(?:and\s+|but\s+)?(?:not|never|rather than|instead of)\s+(?:equal to\s+)?\$?-?[\d\\][^\s,;]*/gi, '').trim()
  if (r.length === 0) return whole.length > 0 ? { answer: null, how: 'negated', raw: whole } : null
  if (mathSegments(r).length > 0) return { answer: pickMath(r), how: 'final_statement', raw: r }
  if (r.split(/\s+/).length <= 3) return { answer: r, how: 'final_statement', raw: r }
  const all = [...r.matchAll(NUMBER_RE)]
  // a number the sentence negates ("10, not 12") is not its answer
  const negated = (m: RegExpMatchArray): boolean => NEGATION_BEFORE.test(r.slice(Math.max(0, (m.index ?? 0) - 24), m.index ?? 0))
  const ms = all.filter(m => !negated(m))
  const nums = ms.map(m => m[0].replace(/,$/, '').trim())
  if (nums.length === 0) return all.length > 0 ? { answer: null, how: 'negated', raw: r } : null
  // the last number, with the unit words that follow it ("90 minutes", "3 square feet")
  const lastM = ms[ms.length - 1] as RegExpMatchArray
  const unitWords: string[] = []
  for (const w of r.slice((lastM.index ?? 0) + lastM[0].length).trim().split(/\s+/).slice(0, 4)) {
    if (!/^[A-Za-z]+$/.test(w) || !isUnitWord(w)) break
    unitWords.push(w)
  }
  const answer = (nums[nums.length - 1] as string) + (unitWords.length > 0 && !/per$|square$|cubic$/i.test(unitWords.join(' ')) ? ' ' + unitWords.join(' ') : '')
  // numbers in prose joined by list connectors, or given under conditions, are several candidates
  const conditional = /\b(?:if|when|otherwise|depending|unless|either)\b/i.test(r)
  let listed = false
  for (let k = 1; k < ms.length; k++) {
    const a = ms[k - 1] as RegExpMatchArray
    const b = ms[k] as RegExpMatchArray
    if (LIST_GAP.test(r.slice((a.index ?? 0) + a[0].length, b.index ?? 0))) listed = true
  }
  const out: Extraction = { answer, how: 'final_statement', raw: r }
  if (listed && nums.length > 1) out.candidates = nums
  else if (conditional) {
    // the values given under conditions, without the numbers of the conditions (a > 0)
    const values = [...r.replace(/[a-zA-Z]\s*(?:[<>=]=?|≤|≥|\\[lg]eq?)\s*-?\d+(?:\.\d+)?/g, ' ').matchAll(NUMBER_RE)].map(m => m[0].replace(/,$/, '').trim())
    if (values.length > 1) out.candidates = values
  }
  return out
}

function splitSentences (t: string): string[] {
  const segs = mathSegments(t)
  const displayEnds = new Set(segs.filter(x => t.startsWith('$$', x.start) || t.startsWith('\\[', x.start)).map(x => x.end))
  const out: string[] = []
  let start = 0
  let k = 0
  for (let i = 0; i < t.length; i++) {
    while (k < segs.length && (segs[k] as Seg).end <= i) k++
    const g = segs[k]
    if (g !== undefined && i >= g.start && i < g.end) {
      // display math ends a sentence when the text after it starts a new one
      continue
    }
    if (displayEnds.has(i) && /^\s+[A-Z]/.test(t.slice(i, i + 3))) {
      out.push(t.slice(start, i)); start = i; continue
    }
    const ch = t[i]
    if (ch === '\n' || ((ch === '.' || ch === '!' || ch === '?') && (i + 1 >= t.length || /\s/.test(t[i + 1] ?? '')))) {
      out.push(t.slice(start, i + 1))
      start = i + 1
    }
  }
  out.push(t.slice(start))
  return out
}
