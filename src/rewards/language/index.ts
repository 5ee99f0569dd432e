/**
 * Language-consistency reward (DeepSeek-R1): the share of chain-of-thought words in the target language.
 * A word's script decides where scripts differ (a Han word is not English); within a script that several
 * languages share, sentences are judged by a detector, in chunks of at least MIN_CHUNK letters (short
 * sentences alone are guessed badly), and the chunk's verdict counts for its words; a chunk the detector
 * cannot judge reliably takes the verdict of the whole chain of thought. No chain of thought scores 0.
 */
import type { ComponentResult } from '../types.ts'
import { scriptsOf, needsDetector, scriptOf, type Script } from './scripts.ts'
import { words, sentences, stripNonLanguage, type Word } from './words.ts'
import { detect } from './detector.ts'

const MIN_CHUNK = 60

export interface LanguageOptions {
  /** ISO 639-1 code, or 'auto' for the prompt's language. */
  target: string
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
  let hits = 0
  for (const w of ws) {
    if (!(scriptsOf(target) ?? []).includes(w.script)) continue
    if (!needsDetector(w.script, target) || verdicts.get(w.sentence) === true) hits++
  }
  const score = hits / ws.length
  return { score, status: 'ok', details: { words: ws.length, target_words: hits, target } }
}

/** For sentences with words that need a detector: whether the detector says they are in the target. */
function judgeSentences (parts: string[], ws: Word[], target: string): Map<number, boolean> {
  const out = new Map<number, boolean>()
  const needing = new Map<number, number>()
  for (const w of ws) {
    if (needsDetector(w.script, target)) needing.set(w.sentence, (needing.get(w.sentence) ?? 0) + w.text.length)
  }
  if (needing.size === 0) return out
  const lang = target.toLowerCase().split(/[-_]/)[0]
  const chunks: number[][] = []
  let current: number[] = []
  let letters = 0
  for (const [sentence, n] of needing) {
    current.push(sentence)
    letters += n
    if (letters >= MIN_CHUNK) { chunks.push(current); current = []; letters = 0 }
  }
  if (current.length > 0) {
    const lastChunk = chunks.at(-1)
    if (lastChunk !== undefined && letters < MIN_CHUNK / 2) lastChunk.push(...current)
    else chunks.push(current)
  }
  const unreliable: number[][] = []
  for (const chunk of chunks) {
    const v = detect(chunk.map(i => parts[i]).join(' '))
    if (!v.reliable) { unreliable.push(chunk); continue }
    for (const i of chunk) out.set(i, v.language === lang)
  }
  if (unreliable.length > 0) {
    const whole = detect(parts.join(' '))
    const fallback = whole.language === lang
    for (const chunk of unreliable) for (const i of chunk) out.set(i, fallback)
  }
  return out
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
