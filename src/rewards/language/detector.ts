/**
 * Sentence-level language detector for scripts that several languages share: eld (medium database).
 * Measured here (../shared/NOTES.md): 34/35 snippets right, ~0.1 ms per KB, ~60 MB; loaded once per thread.
 */
import { eld } from 'eld/medium'

export interface Verdict { language: string, reliable: boolean }

export function detect (text: string): Verdict {
  const r = eld.detect(text)
  return { language: r.language, reliable: r.language !== '' && r.isReliable() }
}
