/**
 * Sentence-level language detector for scripts that several languages share: eld (medium database).
 * Measured here (../shared/NOTES.md): 34/35 snippets right, ~60 MB; loaded once per thread. eld reads at most
 * ~350 bytes of its input. `runnerUp` is the second language's score over the first's: mixed text scores a
 * high runner-up (0.83-0.89 on en+fr/de/es chunks in test/unit/language.test.ts), one language a low one
 * (0.69-0.76 on English chunks).
 */
import { eld } from 'eld/medium'

export interface Verdict { language: string, reliable: boolean, runnerUp: number }

export function detect (text: string): Verdict {
  const r = eld.detect(text)
  if (r.language === '') return { language: '', reliable: false, runnerUp: 1 }
  let first = 0
  let second = 0
  for (const score of Object.values(r.getScores())) {
    if (score > first) { second = first; first = score } else if (score > second) second = score
  }
  return { language: r.language, reliable: r.isReliable(), runnerUp: first > 0 ? second / first : 1 }
}
