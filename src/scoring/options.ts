/**
 * Effective options: the request's reward and advantage options merged over the defaults. The result is
 * what config_hash covers, so two requests that mean the same configuration hash the same.
 */
import type { RewardsOptions, AdvantageOptions } from './schema.ts'
import type { AdvantageScale } from '../grpo/advantages.ts'
import type { FormatOptions } from '../rewards/format/index.ts'
import type { CosineOptions } from '../rewards/extras/cosine.ts'
import { hashJson } from '../lib/hash.ts'
import { REWARD_VERSION } from './version.ts'
import { DEFAULT_STRIP_TOKENS } from '../rewards/format/strip.ts'

interface Weighted { weight: number }

export interface EffectiveOptions {
  rewards: {
    format?: Weighted & FormatOptions
    accuracy?: Weighted & { rounding: 'off' | 'gold_precision' }
    language?: Weighted & { target: string }
    reasoning_steps?: Weighted & { min_steps: number }
    repetition?: Weighted & { ngram: number, max_penalty: number }
    cosine?: Weighted & CosineOptions
    overlong?: Weighted & { max_length: number, buffer: number }
    length?: Weighted
  }
  advantages: { scale: AdvantageScale, eps: number }
  /** End tokens removed from the end of every completion before any reward reads it (format's strip_tokens). */
  strip_tokens: string[]
}

export type ComponentName = keyof EffectiveOptions['rewards']
/** Order of evaluation and of keys in each reply. */
export const COMPONENTS: ComponentName[] = ['format', 'accuracy', 'language', 'reasoning_steps', 'repetition', 'cosine', 'overlong', 'length']

type Given<T> = (T & { enabled?: boolean }) | undefined

function on<T extends object> (given: Given<T>, byDefault: boolean): given is T & { enabled?: boolean } {
  if (given === undefined) return byDefault
  return given.enabled !== false
}

export function resolveOptions (rewards: RewardsOptions = {}, advantages: AdvantageOptions = {}): EffectiveOptions {
  const r: EffectiveOptions['rewards'] = {}
  const f = rewards.format
  // The template (tags, chat vs r1) also drives answer extraction, so it is resolved even when format is off.
  const template = templateOf(rewards)
  if (f === undefined || f.enabled !== false) r.format = { weight: f?.weight ?? 1, ...template }
  const a = rewards.accuracy
  if (a === undefined || a.enabled !== false) r.accuracy = { weight: a?.weight ?? 1, rounding: a?.rounding ?? 'off' }
  const l = rewards.language
  if (on(l, false)) r.language = { weight: l.weight ?? 0, target: (l.target ?? 'auto').toLowerCase() }
  const s = rewards.reasoning_steps
  if (on(s, false)) r.reasoning_steps = { weight: s.weight ?? 1, min_steps: s.min_steps ?? 3 }
  const p = rewards.repetition
  if (on(p, false)) r.repetition = { weight: p.weight ?? 1, ngram: p.ngram ?? 3, max_penalty: p.max_penalty ?? -1 }
  const c = rewards.cosine
  if (on(c, false)) {
    r.cosine = {
      weight: c.weight ?? 1,
      max_len: c.max_len ?? 1000,
      min_value_wrong: c.min_value_wrong ?? -1,
      max_value_wrong: c.max_value_wrong ?? -0.5,
      min_value_correct: c.min_value_correct ?? 0.5,
      max_value_correct: c.max_value_correct ?? 1
    }
  }
  const o = rewards.overlong
  if (on(o, false)) r.overlong = { weight: o.weight ?? 1, max_length: o.max_length ?? 4096, buffer: o.buffer ?? 512 }
  const g = rewards.length
  if (on(g, false)) r.length = { weight: g.weight ?? 1 }
  const strip = [...(rewards.format?.strip_tokens ?? DEFAULT_STRIP_TOKENS)]
  return { rewards: r, advantages: { scale: advantages.scale ?? 'group', eps: advantages.eps ?? 1e-4 }, strip_tokens: strip }
}

/** The template used for answer extraction, whether or not the format reward is on. */
export function templateOf (rewards: RewardsOptions = {}): FormatOptions {
  const f = rewards.format
  return {
    mode: f?.mode ?? 'strict',
    template: f?.template ?? 'r1',
    tags: { think: f?.tags?.think ?? 'think', answer: f?.tags?.answer ?? 'answer' },
    think_prefilled: f?.think_prefilled ?? false
  }
}

export function configHash (effective: EffectiveOptions): string {
  return hashJson({ reward_version: REWARD_VERSION, ...effective })
}
