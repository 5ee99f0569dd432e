/**
 * Writing systems: which script a word is written in, and which scripts a language writes with.
 * Where a script belongs to one language only (Hangul, kana, Greek, Hebrew, Thai…), the script decides;
 * where several languages share it (Latin, Cyrillic, Arabic, Devanagari), a detector must judge.
 */
export type Script =
  | 'Latin' | 'Cyrillic' | 'Greek' | 'Arabic' | 'Hebrew' | 'Devanagari' | 'Bengali' | 'Tamil' | 'Telugu'
  | 'Han' | 'Hiragana' | 'Katakana' | 'Hangul' | 'Thai' | 'Georgian' | 'Armenian' | 'Other'

const probes: Array<[Script, RegExp]> = [
  ['Latin', /\p{Script=Latin}/u], ['Han', /\p{Script=Han}/u], ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Hiragana', /\p{Script=Hiragana}/u], ['Katakana', /\p{Script=Katakana}/u], ['Hangul', /\p{Script=Hangul}/u],
  ['Arabic', /\p{Script=Arabic}/u], ['Greek', /\p{Script=Greek}/u], ['Hebrew', /\p{Script=Hebrew}/u],
  ['Devanagari', /\p{Script=Devanagari}/u], ['Thai', /\p{Script=Thai}/u], ['Bengali', /\p{Script=Bengali}/u],
  ['Tamil', /\p{Script=Tamil}/u], ['Telugu', /\p{Script=Telugu}/u], ['Georgian', /\p{Script=Georgian}/u],
  ['Armenian', /\p{Script=Armenian}/u]
]

/** The script of a word: that of its first letter (ASCII letters answered without a regex). */
export function scriptOf (word: string): Script {
  for (const ch of word) {
    const c = ch.charCodeAt(0)
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return 'Latin'
    if (!/\p{L}/u.test(ch)) continue
    for (const [script, re] of probes) if (re.test(ch)) return script
    return 'Other'
  }
  return 'Other'
}

/** Scripts written without spaces between words: only these need Intl.Segmenter's dictionary. */
export const unspacedScripts = new Set<Script>(['Han', 'Hiragana', 'Katakana', 'Thai'])

const latin = ['en', 'fr', 'de', 'es', 'it', 'pt', 'nl', 'sv', 'da', 'no', 'nb', 'fi', 'pl', 'cs', 'sk', 'sl', 'hr',
  'hu', 'ro', 'tr', 'vi', 'id', 'ms', 'tl', 'ca', 'eu', 'gl', 'et', 'lv', 'lt', 'sq', 'is', 'ga', 'cy', 'af', 'sw', 'az', 'uz']
const table: Record<string, Script[]> = {
  zh: ['Han'],
  ja: ['Han', 'Hiragana', 'Katakana'],
  ko: ['Hangul', 'Han'],
  ru: ['Cyrillic'],
  uk: ['Cyrillic'],
  bg: ['Cyrillic'],
  sr: ['Cyrillic', 'Latin'],
  mk: ['Cyrillic'],
  be: ['Cyrillic'],
  kk: ['Cyrillic'],
  mn: ['Cyrillic'],
  ar: ['Arabic'],
  fa: ['Arabic'],
  ur: ['Arabic'],
  he: ['Hebrew'],
  el: ['Greek'],
  hi: ['Devanagari'],
  mr: ['Devanagari'],
  ne: ['Devanagari'],
  bn: ['Bengali'],
  ta: ['Tamil'],
  te: ['Telugu'],
  th: ['Thai'],
  ka: ['Georgian'],
  hy: ['Armenian']
}
for (const l of latin) table[l] = ['Latin']

const resolved = new Map<string, Script[] | undefined>()

/** Scripts of a language (ISO 639-1, a region suffix allowed), or undefined for a language we do not know. */
export function scriptsOf (language: string): Script[] | undefined {
  if (!resolved.has(language)) {
    if (resolved.size > 1024) resolved.clear()
    resolved.set(language, table[language.toLowerCase().split(/[-_]/)[0] ?? ''])
  }
  return resolved.get(language)
}

export const knownLanguages = Object.keys(table).sort()

/** How many known languages write with each script: 1 means the script alone identifies the language. */
const sharing = new Map<Script, number>()
for (const scripts of Object.values(table)) for (const s of scripts) sharing.set(s, (sharing.get(s) ?? 0) + 1)

const detectorNeeded = new Map<string, Set<Script>>()

/** The scripts whose words need a detector to tell whether they are in `language`. */
export function detectorScripts (language: string): Set<Script> {
  let set = detectorNeeded.get(language)
  if (set === undefined) {
    // Han counts for zh, ja and ko alike: the script decides
    set = new Set((scriptsOf(language) ?? []).filter(s => s !== 'Han' && (sharing.get(s) ?? 0) > 1))
    if (detectorNeeded.size > 1024) detectorNeeded.clear()
    detectorNeeded.set(language, set)
  }
  return set
}
