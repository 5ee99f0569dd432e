/**
 * Words of a chain of thought, as Intl.Segmenter finds them, at a fraction of its cost: Intl.Segmenter
 * costs ~0.9 ms per KB of English here, a regex ~0.02 ms. For space-delimited scripts a word is a run of
 * letters, marks and digits joined by apostrophes, which is what the segmenter yields there
 * (test/unit/language.test.ts checks the two agree); runs of unspaced scripts (Han, kana, Thai) go to
 * Intl.Segmenter's dictionary. Words without a letter (numbers) are not words of any language.
 * Math ($…$, \(…\), \[…\]), LaTeX commands and code are removed first: they are no language.
 */
import { scriptOf, unspacedScripts, type Script } from './scripts.ts'

export interface Word { text: string, script: Script, sentence: number }

const mathAndCode = /\$\$[\s\S]*?\$\$|\$[^$\n]*\$|\\\([\s\S]*?\\\)|\\\[[\s\S]*?\\\]|```[\s\S]*?(?:```|$)|`[^`\n]*`|\\[a-zA-Z]+/g
const token = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*/gu
const sentenceEnd = /[.!?。！？;；]+(?=\s|$)|[。！？]|\n+/gu
const hasLetter = /\p{L}/u
const segmenters = new Map<string, Intl.Segmenter>()

export function stripNonLanguage (text: string): string {
  return text.replace(mathAndCode, ' ')
}

/** Sentences of a text (by terminal punctuation and line breaks), each with its start offset. */
export function sentences (text: string): string[] {
  const out: string[] = []
  let last = 0
  sentenceEnd.lastIndex = 0
  for (let m = sentenceEnd.exec(text); m !== null; m = sentenceEnd.exec(text)) {
    const end = m.index + m[0].length
    if (end > last) out.push(text.slice(last, end))
    last = end
  }
  if (last < text.length) out.push(text.slice(last))
  return out
}

/** Words of already-stripped text, each tagged with its script and sentence index. */
export function words (parts: string[]): Word[] {
  const out: Word[] = []
  parts.forEach((sentence, index) => {
    token.lastIndex = 0
    for (let m = token.exec(sentence); m !== null; m = token.exec(sentence)) {
      const text = m[0]
      const c = text.charCodeAt(0)
      // an ASCII letter first settles both questions without a Unicode regex
      const asciiLetter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90)
      if (!asciiLetter && !hasLetter.test(text)) continue
      const script = asciiLetter ? 'Latin' : scriptOf(text)
      if (unspacedScripts.has(script)) {
        for (const w of segmentUnspaced(text)) out.push({ text: w, script: scriptOf(w), sentence: index })
      } else {
        out.push({ text, script, sentence: index })
      }
    }
  })
  return out
}

function segmentUnspaced (run: string): string[] {
  const locale = /\p{Script=Thai}/u.test(run) ? 'th' : /[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(run) ? 'ja' : 'zh'
  let seg = segmenters.get(locale)
  if (seg === undefined) {
    seg = new Intl.Segmenter(locale, { granularity: 'word' })
    segmenters.set(locale, seg)
  }
  const out: string[] = []
  for (const s of seg.segment(run)) if (s.isWordLike === true && hasLetter.test(s.segment)) out.push(s.segment)
  return out
}
