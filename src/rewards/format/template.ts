/**
 * Reads a completion against its template: the R1 template `<think>…</think><answer>…</answer>` or R1's
 * chat output `<think>…</think>` followed by a plain summary. Tag names are configurable.
 * One tokenizer serves the format reward and answer extraction, so both read a completion the same way.
 */
import type { TemplateTags } from '../types.ts'

export type TemplateKind = 'r1' | 'chat'

export interface TagToken { kind: 'think' | 'answer', closing: boolean, start: number, end: number }

export function tagTokens (text: string, tags: TemplateTags): TagToken[] {
  const out: TagToken[] = []
  const re = tagPattern(tags)
  re.lastIndex = 0
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push({ kind: m[2] === tags.think ? 'think' : 'answer', closing: m[1] === '/', start: m.index, end: m.index + m[0].length })
  }
  return out
}

const patterns = new Map<string, RegExp>()
function tagPattern (tags: TemplateTags): RegExp {
  const key = `${tags.think}\u0000${tags.answer}`
  let re = patterns.get(key)
  if (re === undefined) {
    re = new RegExp(`<(/?)(${escape(tags.think)}|${escape(tags.answer)})>`, 'g')
    if (patterns.size > 64) patterns.clear()
    patterns.set(key, re)
  }
  return re
}

function escape (s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export interface TemplateParts {
  /** Bodies of the think blocks, in order. */
  think: string[]
  /** Body of the last complete answer block (trimmed), or null. */
  answer: string | null
  /** Text after the last closing think tag with think blocks removed (the chat template's summary), trimmed. */
  summary: string
}

/** Splits a completion into think bodies, answer body and summary, tolerant of malformed input. */
export function splitTemplate (text: string, tags: TemplateTags): TemplateParts {
  const tokens = tagTokens(text, tags)
  const think: string[] = []
  let answer: string | null = null
  let open: TagToken | null = null
  let lastThinkClose = -1
  for (const t of tokens) {
    if (!t.closing) { open = t; continue }
    if (open !== null && open.kind === t.kind) {
      const body = text.slice(open.end, t.start)
      if (t.kind === 'think') { think.push(body); lastThinkClose = t.end } else answer = body.trim()
    } else if (t.kind === 'think' && open === null && think.length === 0) {
      // `<think>` prefilled by the chat template: everything before the first `</think>` is thought.
      think.push(text.slice(0, t.start))
      lastThinkClose = t.end
    }
    open = null
  }
  const summary = lastThinkClose >= 0 ? text.slice(lastThinkClose).trim() : ''
  return { think, answer, summary }
}
