/**
 * Language-consistency reward (DeepSeek-R1): the share of chain-of-thought words in the target language.
 * A word's script decides where scripts differ (a Han word is not English); within a script that several
 * languages share, sentences are judged by a detector (see judgeSentences) and a sentence's verdict counts
 * for its words. No chain of thought scores 0.
 */
import type { ComponentResult, TemplateTags } from '../types.ts'
import { splitTemplate } from '../format/template.ts'
import { scriptsOf, detectorScripts, scriptOf, type Script } from './scripts.ts'
import { words, sentences, stripNonLanguage, type Word } from './words.ts'
import { detect, type Verdict } from './detector.ts'
import { lexiconVerdict, lexiconLanguages } from './lexicon.ts'

/** Bytes of text judged in one detector call (eld reads ~350), and the fewest letters judged alone on a second look. */
const CHUNK_BYTES = 340
const FINE = 40
const MIXED_RUNNER_UP = 0.8

/**
 * The language component of one group: its completions, the template tags that mark the chain of thought,
 * and the target (an ISO 639-1 code, or 'auto' for the prompt's language).
 */
export interface LanguageJob { texts: string[], tags: TemplateTags, target: string, prompt?: string }

export function scoreLanguageJob (job: LanguageJob): ComponentResult[] {
  const target = job.target === 'auto' ? (job.prompt === undefined || job.prompt === '' ? null : promptLanguage(job.prompt)) : job.target
  if (target === null) {
    return job.texts.map(() => ({ score: null, status: 'unscorable', reason: 'target is auto and the prompt has no detectable language' }))
  }
  return job.texts.map(t => languageReward(splitTemplate(t, job.tags).think, target))
}

export function languageReward (think: string[], target: string): ComponentResult {
  if (scriptsOf(target) === undefined) {
    return { score: null, status: 'unscorable', reason: `unknown target language '${target}'` }
  }
  const cot = think.join('\n')
  if (cot.trim() === '') return { score: 0, status: 'ok', reason: 'no chain of thought' }
  const parts = sentences(stripNonLanguage(cot))
  const ws = words(parts)
  if (ws.length === 0) return { score: 0, status: 'ok', reason: 'no words in the chain of thought' }
  const verdicts = judgeSentences(parts, ws, target)
  const scripts = scriptsOf(target) ?? []
  const needDetector = detectorScripts(target)
  let hits = 0
  let judged = 0
  for (const w of ws) {
    const inScript = scripts.includes(w.script)
    const needs = inScript && needDetector.has(w.script)
    const verdict = needs ? verdicts.get(w.sentence) : undefined
    if (needs && verdict === null) continue // a sentence nobody could place counts neither way
    judged++
    if (inScript && (!needs || verdict === true)) hits++
  }
  if (judged === 0) return { score: null, status: 'unscorable', reason: 'too little text to tell its language', details: { words: ws.length, target } }
  const score = hits / judged
  return { score, status: 'ok', details: { words: ws.length, judged_words: judged, target_words: hits, target } }
}

/**
 * For sentences with words that need a detector: whether they are in the target language.
 * A sentence whose stop words clearly point to one language is decided by them (lexicon.ts). For the
 * others, eld reads at most ~350 bytes of its input and a call costs about as much as reading them, so sentences are
 * packed into chunks of up to CHUNK_BYTES (one call each reads all of the text once). A chunk placed in the
 * target language reliably and clearly (runner-up language below MIXED_RUNNER_UP of the top score) counts
 * whole; any other chunk is judged again sentence by sentence (sentences shorter than FINE letters joined to
 * the next), so foreign sentences are found where they are. A sentence the detector cannot judge reliably
 * takes the verdict of its chunk, or of the first reliable chunk, or of the whole undecided text; where none
 * is reliable the sentence is left out of the share (null), and a chain of thought with no word that could
 * be placed is unscorable rather than 0.
 */
function judgeSentences (parts: string[], ws: Word[], target: string): Map<number, boolean | null> {
  const out = new Map<number, boolean | null>()
  const letters = new Map<number, number>()
  const bySentence = new Map<number, string[]>()
  const needDetector = detectorScripts(target)
  for (const w of ws) {
    if (!needDetector.has(w.script)) continue
    letters.set(w.sentence, (letters.get(w.sentence) ?? 0) + w.text.length)
    const list = bySentence.get(w.sentence)
    if (list === undefined) bySentence.set(w.sentence, [w.text])
    else list.push(w.text)
  }
  if (letters.size === 0) return out
  const lang = target.toLowerCase().split(/[-_]/)[0] ?? target
  // First look: stop words decide the sentences they clearly place (see lexicon.ts); the rest go to eld.
  const undecided: number[] = []
  const useLexicon = lexiconLanguages.has(lang)
  for (const [i, list] of bySentence) {
    const v = useLexicon ? lexiconVerdict(list) : null
    if (v === null) undecided.push(i)
    else out.set(i, v === lang)
  }
  if (undecided.length === 0) return out
  const text = (chunk: number[]): string => chunk.map(i => parts[i]).join(' ')
  const chunks = packed(undecided, parts)
  const verdicts = chunks.map(chunk => detect(text(chunk)))
  // Where no chunk is reliable, the whole undecided text may be; where even that is not (a CoT of a few
  // words), those sentences cannot be placed: null, and their words are left out of the share.
  const anchor = verdicts.find(v => v.reliable) ?? detect(text(undecided))
  chunks.forEach((chunk, c) => {
    const v = verdicts[c] as Verdict
    if (v.reliable && v.language === lang && v.runnerUp < MIXED_RUNNER_UP) {
      for (const i of chunk) out.set(i, true)
      return
    }
    const fallback = v.reliable ? v : anchor
    for (const sub of byLetters(chunk, letters, FINE)) {
      const s = sub.length === chunk.length ? v : detect(text(sub))
      const verdict = s.reliable ? s : fallback
      for (const i of sub) out.set(i, verdict.reliable ? verdict.language === lang : null)
    }
  })
  return out
}

/** Consecutive sentences packed while they fit in CHUNK_BYTES (a longer sentence is a chunk of its own). */
function packed (sentences: number[], parts: string[]): number[][] {
  const chunks: number[][] = []
  let current: number[] = []
  let bytes = 0
  for (const i of sentences) {
    const n = Buffer.byteLength(parts[i] ?? '')
    if (current.length > 0 && bytes + n > CHUNK_BYTES) { chunks.push(current); current = []; bytes = 0 }
    current.push(i)
    bytes += n + 1
  }
  if (current.length > 0) chunks.push(current)
  return chunks
}

/** Consecutive sentences grouped until each group has at least `min` letters (a short tail joins the last group). */
function byLetters (sentences: number[], letters: Map<number, number>, min: number): number[][] {
  const groups: number[][] = []
  let current: number[] = []
  let n = 0
  for (const i of sentences) {
    current.push(i)
    n += letters.get(i) ?? 0
    if (n >= min) { groups.push(current); current = []; n = 0 }
  }
  if (current.length > 0) {
    const last = groups.at(-1)
    if (last !== undefined && n < min / 2) last.push(...current)
    else groups.push(current)
  }
  return groups
}

/** The language of a prompt: its dominant script, and the detector where that script is shared. */
export function promptLanguage (prompt: string): string | null {
  const ws = words(sentences(stripNonLanguage(prompt)))
  if (ws.length === 0) return null
  const counts = new Map<Script, number>()
  for (const w of ws) counts.set(w.script, (counts.get(w.script) ?? 0) + 1)
  const [top] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['Other']
  const byScript: Partial<Record<Script, string>> = {
    Han: [...prompt].some(ch => scriptOf(ch) === 'Hiragana' || scriptOf(ch) === 'Katakana') ? 'ja' : 'zh',
    Hiragana: 'ja',
    Katakana: 'ja',
    Hangul: 'ko',
    Greek: 'el',
    Hebrew: 'he',
    Thai: 'th',
    Bengali: 'bn',
    Tamil: 'ta',
    Telugu: 'te',
    Georgian: 'ka',
    Armenian: 'hy'
  }
  const direct = byScript[top]
  if (direct !== undefined) return direct
  const v = detect(prompt)
  return v.language === '' ? null : v.language
}
