/**
 * Scores a batch of groups: every enabled component for every completion, the weighted total, and the
 * group advantages. One reply result per completion, in order. The same scorer serves /v1/score, the queue
 * workers and the CLI.
 */
import type { ScoreRequest, ScoreReply, Group, GroupResult, CompletionResult, Reference } from './schema.ts'
import type { ComponentResult } from '../rewards/types.ts'
import type { MathVerifier } from '../rewards/math/api.ts'
import type { CodeVerifier, CodeCheckResult } from '../rewards/code/api.ts'
import type { CallContext } from './admission.ts'
import { extractCode } from '../rewards/code/extract.ts'
import { resolveOptions, configHash, COMPONENTS, type EffectiveOptions, type ComponentName } from './options.ts'
import { REWARD_VERSION } from './version.ts'
import { formatReward } from '../rewards/format/index.ts'
import { stripTrailingTokens } from '../rewards/format/strip.ts'
import type { LanguagePool } from '../rewards/language/pool.ts'
import { reasoningStepsReward } from '../rewards/extras/reasoning-steps.ts'
import { repetitionReward } from '../rewards/extras/repetition.ts'
import { cosineReward } from '../rewards/extras/cosine.ts'
import { overlongReward } from '../rewards/extras/overlong.ts'
import { groupLengthRewards } from '../rewards/extras/group-length.ts'
import { approxTokens } from '../rewards/extras/length.ts'
import { batchAdvantages } from '../grpo/advantages.ts'

export interface ScorerDeps {
  math: MathVerifier
  /** Runs code references; without it they answer status 'error' (never a 0). */
  code?: CodeVerifier
  /** Scores the language component (off the main thread when it has workers). */
  language: LanguagePool
  /** Called once per component per group with the outcomes, for metrics. */
  observe?: (component: ComponentName, seconds: number, results: ComponentResult[]) => void
}

type Columns = Partial<Record<ComponentName, ComponentResult[]>>

/**
 * Groups scored at once: enough to keep every worker busy, few enough that a 65k-completion request does not
 * create 65k pending checks in one synchronous loop. The event loop is given a turn every YIELD_EVERY groups.
 */
const WINDOW = 64
const YIELD_EVERY = 16

const yieldNow = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

/** fn over items, at most `width` at once, results in order; yields the event loop as it goes. */
async function mapWindow<T, R> (items: T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  let started = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      if (++started % YIELD_EVERY === 0) await yieldNow()
      out[i] = await fn(items[i] as T, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane))
  return out
}

export class Scorer {
  constructor (private readonly deps: ScorerDeps) {}

  /** `tenant` is who the work is for (fair scheduling at the pools' gates); the queue workers pass none. */
  async score (request: ScoreRequest, signal?: AbortSignal, tenant?: string): Promise<ScoreReply> {
    const options = resolveOptions(request.rewards, request.advantages)
    const ctx: CallContext = { ...(signal === undefined ? {} : { signal }), ...(tenant === undefined ? {} : { tenant }) }
    const perGroup = await mapWindow(request.groups, WINDOW, async g => {
      signal?.throwIfAborted()
      return await this.scoreGroup(g, options, ctx)
    })
    const rewards = perGroup.map(results => results.map(r => r.reward))
    const { advantages, stats } = batchAdvantages(rewards, options.advantages.scale, options.advantages.eps)
    const groups: GroupResult[] = request.groups.map((g, i) => {
      const out: GroupResult = { id: g.id, results: perGroup[i] ?? [], advantages: (advantages[i] ?? []).map(finiteOrZero), stats: finiteStats(stats[i]) }
      if (g.metadata !== undefined) out.metadata = g.metadata
      return out
    })
    return { groups, reward_version: REWARD_VERSION, config_hash: configHash(options) }
  }

  private async scoreGroup (group: Group, options: EffectiveOptions, ctx: CallContext): Promise<CompletionResult[]> {
    const o = options.rewards
    const cols: Columns = {}
    // Completion preparation, the one place every reward (and every endpoint) goes through: trailing end tokens off.
    const completions = group.completions.map(c => stripTrailingTokens(c, options.strip_tokens))
    const tags = o.format?.tags ?? { think: 'think', answer: 'answer' }
    const prefilled = o.format?.think_prefilled ?? false
    const texts = prefilled ? completions.map(c => `<${tags.think}>${c}`) : completions
    const lengths = group.length_tokens ?? completions.map(approxTokens)

    if (o.format !== undefined) {
      const fo = o.format
      cols.format = this.timed('format', () => completions.map(c => formatReward(c, fo)))
    }
    if (o.accuracy !== undefined && group.reference.type !== 'none') {
      cols.accuracy = await this.accuracy(group, texts, tags, o.accuracy.rounding, ctx)
    }
    if (o.language !== undefined) cols.language = await this.language(group, texts, tags, o.language.target)
    if (o.reasoning_steps !== undefined) {
      const min = o.reasoning_steps.min_steps
      cols.reasoning_steps = this.timed('reasoning_steps', () => completions.map(c => reasoningStepsReward(c, min)))
    }
    if (o.repetition !== undefined) {
      const { ngram, max_penalty: max } = o.repetition
      cols.repetition = this.timed('repetition', () => completions.map(c => repetitionReward(c, ngram, max)))
    }
    // Right means full marks (a code completion passing some tests is not right for cosine/length).
    const correct = completions.map((_, i) => {
      const a = cols.accuracy?.[i]
      return a === undefined || a.score === null ? null : a.score >= 1
    })
    if (o.cosine !== undefined) {
      const co = o.cosine
      cols.cosine = this.timed('cosine', () => completions.map((_, i) => cosineReward(correct[i] ?? null, lengths[i] ?? 0, co)))
    }
    if (o.overlong !== undefined) {
      const { max_length: max, buffer } = o.overlong
      cols.overlong = this.timed('overlong', () => completions.map((_, i) => overlongReward(lengths[i] ?? 0, max, buffer)))
    }
    if (o.length !== undefined) cols.length = this.timed('length', () => groupLengthRewards(lengths, correct))
    return completions.map((_, i) => combine(cols, i, options))
  }

  private async accuracy (group: Group, texts: string[], tags: { think: string, answer: string }, rounding: 'off' | 'gold_precision', ctx: CallContext): Promise<ComponentResult[]> {
    const t0 = performance.now()
    const out = group.reference.type === 'code'
      ? await this.codeAccuracy(group.reference, texts, tags, ctx)
      : await this.mathAccuracy(group, texts, tags, rounding, ctx)
    this.deps.observe?.('accuracy', (performance.now() - t0) / 1000, out)
    return out
  }

  /** Code: extract the program from each completion and run it against the tests in the sandboxes. */
  private async codeAccuracy (ref: Extract<Reference, { type: 'code' }>, texts: string[], tags: { think: string, answer: string }, ctx: CallContext): Promise<ComponentResult[]> {
    const verifier = this.deps.code
    if (verifier === undefined) return texts.map(() => ({ score: null, status: 'error', reason: 'no code sandbox in this scorer' }))
    return await Promise.all(texts.map(async (text): Promise<ComponentResult> => {
      // the configured template tags: code inside the reasoning is never graded
      const { code, kind } = extractCode(text, ref.language, tags)
      if (code.trim() === '') return { score: 0, status: 'ok', reason: 'no code found in the completion', details: { extraction: kind } }
      const r: CodeCheckResult = await verifier.verify({
        language: ref.language,
        code,
        tests: ref.tests,
        ...(ref.limits === undefined ? {} : { limits: ref.limits }),
        ...(ref.scoring === undefined ? {} : { scoring: ref.scoring })
      }, ctx)
      const details = { extraction: kind, passed: r.passed, total: r.total, verdicts: r.tests.map(t => t.verdict), ...(r.trust !== undefined && { trust: r.trust }) }
      if (r.trust === 'cooperative' && ref.allow_cooperative !== true) {
        return { score: null, status: 'error', reason: 'script tests of a compiled language give a forgeable verdict (trust cooperative) and the reference does not allow_cooperative', details }
      }
      if (r.status !== 'ok' || r.reward === null) {
        return { score: null, status: r.status === 'ok' ? 'error' : r.status, reason: r.reason ?? 'sandbox gave no verdict', details }
      }
      return { score: r.reward, status: 'ok', details }
    }))
  }

  private async mathAccuracy (group: Group, texts: string[], tags: { think: string, answer: string }, rounding: 'off' | 'gold_precision', ctx: CallContext): Promise<ComponentResult[]> {
    const ref = group.reference
    if (ref.type !== 'math') throw new Error(`unsupported reference type ${ref.type}`)
    const checks = await this.deps.math.checkMany(texts.map(t => ({ gold: ref.answer, prediction: t, extract: true, tags, rounding })), ctx)
    return checks.map((c): ComponentResult => {
      const details = { extracted: c.prediction.extracted, rule: c.rule, ...(c.details === undefined ? {} : { candidates: c.details.candidates }) }
      if (c.status !== 'ok' || c.equivalent === null) {
        return { score: null, status: c.status === 'ok' ? 'error' : c.status, reason: c.reason ?? 'verifier gave no verdict', details }
      }
      const r: ComponentResult = { score: c.equivalent ? 1 : 0, status: 'ok', details }
      if (c.reason !== undefined && !c.equivalent) r.reason = c.reason
      return r
    })
  }

  private async language (group: Group, texts: string[], tags: { think: string, answer: string }, option: string): Promise<ComponentResult[]> {
    const t0 = performance.now()
    const prompt = group.prompt
    const out = await this.deps.language.score({ texts, tags, target: option, ...(prompt === undefined ? {} : { prompt }) })
    this.deps.observe?.('language', (performance.now() - t0) / 1000, out)
    return out
  }

  private timed (name: ComponentName, fn: () => ComponentResult[]): ComponentResult[] {
    const t0 = performance.now()
    const out = fn()
    this.deps.observe?.(name, (performance.now() - t0) / 1000, out)
    return out
  }
}

/** The total: the weighted sum of components that scored; null (with the reason) when accuracy is null. */
function combine (cols: Columns, i: number, options: EffectiveOptions): CompletionResult {
  const components: Record<string, ComponentResult> = {}
  let reward = 0
  for (const name of COMPONENTS) {
    const r = cols[name]?.[i]
    if (r === undefined) continue
    components[name] = r
    const weight = options.rewards[name]?.weight ?? 0
    if (r.status === 'ok' && r.score !== null && weight !== 0) reward += weight * r.score
  }
  const acc = components.accuracy
  if (acc !== undefined && acc.status !== 'ok') {
    return { reward: null, status: acc.status, reason: `accuracy is ${acc.status}: ${acc.reason ?? 'no reason given'}`, components }
  }
  if (!Number.isFinite(reward)) {
    return { reward: null, status: 'error', reason: 'the weighted total is not a finite number (weights or scores too large)', components }
  }
  return { reward, status: 'ok', components }
}

/** Numbers that leave the service are finite: a non-finite advantage is 0 (as for a null reward). */
function finiteOrZero (x: number): number {
  return Number.isFinite(x) ? x : 0
}

function finiteStats (s: { mean: number | null, std: number | null, count: number } | undefined): { mean: number | null, std: number | null, count: number } {
  if (s === undefined) return { mean: null, std: null, count: 0 }
  const f = (x: number | null): number | null => x !== null && Number.isFinite(x) ? x : null
  return { mean: f(s.mean), std: f(s.std), count: s.count }
}
