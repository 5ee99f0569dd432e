/**
 * Format reward.
 * - strict (default): the completion is exactly `<think>T</think><answer>A</answer>` (r1) or
 *   `<think>T</think>S` (chat), whitespace allowed around tags and around the whole text, A/S not empty,
 *   no other tag anywhere (several think blocks, nested or stray tags, text outside the tags earn 0). Score 1 or 0.
 * - partial: open-r1's tag count: 0.25 for each of the four tags (two for chat: 0.5 each) that occurs exactly once.
 * `think_prefilled`: the prompt already ends with the opening think tag, so the completion starts inside it.
 */
import type { ComponentResult, TemplateTags } from '../types.ts'
import { tagTokens, type TemplateKind, type TagToken } from './template.ts'

export interface FormatOptions {
  mode: 'strict' | 'partial'
  template: TemplateKind
  tags: TemplateTags
  think_prefilled: boolean
}

export function formatReward (completion: string, opts: FormatOptions): ComponentResult {
  const text = opts.think_prefilled ? `<${opts.tags.think}>${completion}` : completion
  const tokens = tagTokens(text, opts.tags)
  if (opts.mode === 'partial') return partial(tokens, opts.template)
  const problem = strictProblem(text, tokens, opts.template)
  return problem === null
    ? { score: 1, status: 'ok' }
    : { score: 0, status: 'ok', reason: problem }
}

function partial (tokens: TagToken[], template: TemplateKind): ComponentResult {
  const expected: Array<[TagToken['kind'], boolean]> = template === 'r1'
    ? [['think', false], ['think', true], ['answer', false], ['answer', true]]
    : [['think', false], ['think', true]]
  let score = 0
  for (const [kind, closing] of expected) {
    const n = tokens.filter(t => t.kind === kind && t.closing === closing).length
    if (n === 1) score += 1 / expected.length
  }
  if (template === 'chat' && tokens.some(t => t.kind === 'answer')) score = Math.max(0, score - 0.5)
  return { score, status: 'ok', details: { tags_found: tokens.length } }
}

const blank = (s: string): boolean => s.trim().length === 0

/** Why a completion fails the strict template, or null when it passes. */
function strictProblem (text: string, tokens: TagToken[], template: TemplateKind): string | null {
  const want = template === 'r1' ? 4 : 2
  const thinkOpen = tokens.filter(t => t.kind === 'think' && !t.closing).length
  if (thinkOpen === 0) return 'missing think block'
  if (thinkOpen > 1) return 'more than one think block'
  if (template === 'chat' && tokens.some(t => t.kind === 'answer')) return 'answer tags in chat template'
  if (template === 'r1' && !tokens.some(t => t.kind === 'answer' && !t.closing)) return 'missing answer block'
  if (tokens.length !== want) return 'unbalanced or repeated tags'
  const [o1, c1, o2, c2] = tokens
  if (o1 === undefined || c1 === undefined || o1.closing || !c1.closing || o1.kind !== 'think' || c1.kind !== 'think') {
    return 'think block malformed'
  }
  if (!blank(text.slice(0, o1.start))) return 'text before the think block'
  if (template === 'chat') {
    return blank(text.slice(c1.end)) ? 'empty summary after the think block' : null
  }
  if (o2 === undefined || c2 === undefined || o2.closing || !c2.closing || o2.kind !== 'answer' || c2.kind !== 'answer') {
    return 'answer block malformed'
  }
  if (!blank(text.slice(c1.end, o2.start))) return 'text between think and answer blocks'
  if (!blank(text.slice(c2.end))) return 'text after the answer block'
  if (blank(text.slice(o2.end, c2.start))) return 'empty answer'
  return null
}
