/**
 * Code extraction from a completion (documented in README.md):
 * 1. Search area (tag names from the template, default think/answer): the body of the last
 *    `<answer>…</answer>`; else the text after the last `</think>`; else, when a `<think>` is never closed,
 *    the text before it (the rest is reasoning); else the whole completion. Reasoning is never graded.
 * 2. In it: the last complete fenced block tagged with the language (```python, ```py, ```js, …);
 *    else the last complete fence with no tag; else an unterminated fence (tagged or untagged) running
 *    to the end; else the bare text itself. A fence tagged with another language is never taken.
 */
import type { CodeLanguage } from './api.ts'

const ALIASES: Record<CodeLanguage, string[]> = {
  python: ['python', 'py', 'python3', 'py3', 'python 3'],
  javascript: ['javascript', 'js', 'node', 'nodejs', 'mjs', 'cjs', 'ecmascript']
}

export type ExtractionKind = 'fenced' | 'unterminated_fence' | 'bare' | 'empty'

export interface Extracted {
  code: string
  kind: ExtractionKind
}

interface Fence { tag: string, body: string, closed: boolean }

export interface CodeTags { think: string, answer: string }
const DEFAULT_TAGS: CodeTags = { think: 'think', answer: 'answer' }

function searchArea (completion: string, tags: CodeTags): string {
  const [ao, ac, to, tc] = [`<${tags.answer}>`, `</${tags.answer}>`, `<${tags.think}>`, `</${tags.think}>`]
  const close = completion.lastIndexOf(ac)
  if (close >= 0) {
    const open = completion.lastIndexOf(ao, close)
    if (open >= 0) return completion.slice(open + ao.length, close)
  }
  const thinkEnd = completion.lastIndexOf(tc)
  const open = completion.lastIndexOf(ao)
  if (open >= 0 && open > thinkEnd) return completion.slice(open + ao.length)
  if (thinkEnd >= 0) return completion.slice(thinkEnd + tc.length)
  const thinkOpen = completion.indexOf(to)
  return thinkOpen >= 0 ? completion.slice(0, thinkOpen) : completion
}

function fences (text: string): Fence[] {
  const out: Fence[] = []
  const lines = text.split(/\r?\n/)
  let cur: { marker: string, tag: string, body: string[] } | null = null
  for (const line of lines) {
    if (cur === null) {
      const m = /^\s{0,3}(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/.exec(line)
      if (m) cur = { marker: m[1] ?? '```', tag: (m[2] ?? '').toLowerCase(), body: [] }
    } else {
      const t = line.trim()
      if (t.startsWith(cur.marker) && /^(`{3,}|~{3,})$/.test(t) && t[0] === cur.marker[0]) {
        out.push({ tag: cur.tag, body: cur.body.join('\n'), closed: true })
        cur = null
      } else {
        cur.body.push(line)
      }
    }
  }
  if (cur !== null) out.push({ tag: cur.tag, body: cur.body.join('\n'), closed: false })
  return out
}

export function extractCode (completion: string, language: CodeLanguage, tags: CodeTags = DEFAULT_TAGS): Extracted {
  const area = searchArea(completion, tags)
  const names = ALIASES[language]
  const all = fences(area)
  const pick = (pred: (f: Fence) => boolean): Fence | undefined => all.filter(pred).at(-1)
  const found = pick(f => f.closed && names.includes(f.tag)) ??
    pick(f => f.closed && f.tag === '') ??
    pick(f => !f.closed && (f.tag === '' || names.includes(f.tag)))
  if (found) {
    const code = found.body.replace(/\s+$/, '') + '\n'
    return { code, kind: found.closed ? 'fenced' : 'unterminated_fence' }
  }
  if (all.length > 0) return { code: '', kind: 'empty' } // only fences of other languages
  const bare = area.trim()
  return bare === '' ? { code: '', kind: 'empty' } : { code: bare + '\n', kind: 'bare' }
}
