/**
 * The scoring contract in TypeBox: one source for request validation, TypeScript types and OpenAPI.
 * Option objects reject unknown keys (a typo such as `mdoe` must not silently train on defaults).
 */
import { CodeReferenceSchema } from '../rewards/code/schema.ts'
import { DEFAULT_STRIP_TOKENS } from '../rewards/format/strip.ts'
import { Type, type Static, type TNumber, type TBoolean, type TSchema, type TUnsafe } from 'typebox'

/** Bound of every free numeric option: sums and products of these stay finite (±1e308 made Infinity, then a 500). */
const BOUND = 1e6
const Weight = (def: number): TNumber => Type.Number({ minimum: -BOUND, maximum: BOUND, default: def, description: `Weight in the total (default ${def}; at most ${BOUND} in magnitude).` })
const Value = (def: number): TNumber => Type.Number({ minimum: -BOUND, maximum: BOUND, default: def })
const Enabled = (def: boolean): TBoolean => Type.Boolean({ default: def, description: `Compute this component (default ${String(def)}; a component named in the request is on unless this says false).` })
const strict = { additionalProperties: false } as const

const TagName = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]{0,31}$' })

export const FormatOptionsSchema = Type.Object({
  enabled: Type.Optional(Enabled(true)),
  weight: Type.Optional(Weight(1)),
  mode: Type.Optional(Type.Union([Type.Literal('strict'), Type.Literal('partial')], { default: 'strict' })),
  template: Type.Optional(Type.Union([Type.Literal('r1'), Type.Literal('chat')], { default: 'r1', description: 'r1: <think>…</think><answer>…</answer>; chat: <think>…</think> then a plain summary, which is the answer.' })),
  tags: Type.Optional(Type.Object({
    think: Type.Optional(TagName),
    answer: Type.Optional(TagName)
  }, { ...strict, description: 'Tag names (default think / answer).' })),
  think_prefilled: Type.Optional(Type.Boolean({ default: false, description: 'The prompt ends with the opening think tag, so completions start inside it.' })),
  strip_tokens: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
    maxItems: 32,
    default: [...DEFAULT_STRIP_TOKENS],
    description: 'End tokens removed from the end of every completion (repeated, with whitespace) before any reward reads it, ' +
      'whether or not format is on; [] keeps completions as sent. Default: the end tokens of ChatML/Qwen, Llama 2/3, Mistral and DeepSeek-R1.'
  }))
}, strict)

export const AccuracyOptionsSchema = Type.Object({
  enabled: Type.Optional(Enabled(true)),
  weight: Type.Optional(Weight(1)),
  rounding: Type.Optional(Type.Union([Type.Literal('off'), Type.Literal('gold_precision')], { default: 'off', description: "Math answers: 'off' compares decimals exactly; 'gold_precision' lets a longer decimal match a decimal gold it rounds to at the gold's places (2.54 for 2.5)." }))
}, strict)

export const LanguageOptionsSchema = Type.Object({
  enabled: Type.Optional(Enabled(true)),
  weight: Type.Optional(Weight(0)),
  target: Type.Optional(Type.String({ minLength: 2, maxLength: 16, default: 'auto', description: "ISO 639-1 code of the target language, or 'auto' for the prompt's." }))
}, strict)

export const ReasoningStepsOptionsSchema = Type.Object({
  enabled: Type.Optional(Enabled(true)),
  weight: Type.Optional(Weight(1)),
  min_steps: Type.Optional(Type.Integer({ minimum: 1, default: 3 }))
}, strict)

export const RepetitionOptionsSchema = Type.Object({
  enabled: Type.Optional(Enabled(true)),
  weight: Type.Optional(Weight(1)),
  ngram: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, default: 3 })),
  max_penalty: Type.Optional(Type.Number({ minimum: -BOUND, maximum: 0, default: -1 }))
}, strict)

export const CosineOptionsSchema = Type.Object({
  enabled: Type.Optional(Enabled(true)),
  weight: Type.Optional(Weight(1)),
  max_len: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e9, default: 1000 })),
  min_value_wrong: Type.Optional(Value(-1)),
  max_value_wrong: Type.Optional(Value(-0.5)),
  min_value_correct: Type.Optional(Value(0.5)),
  max_value_correct: Type.Optional(Value(1))
}, strict)

export const OverlongOptionsSchema = Type.Object({
  enabled: Type.Optional(Enabled(true)),
  weight: Type.Optional(Weight(1)),
  max_length: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e9, default: 4096 })),
  buffer: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e9, default: 512 }))
}, strict)

export const LengthOptionsSchema = Type.Object({
  enabled: Type.Optional(Enabled(true)),
  weight: Type.Optional(Weight(1))
}, strict)

export const RewardsOptionsSchema = Type.Object({
  format: Type.Optional(FormatOptionsSchema),
  accuracy: Type.Optional(AccuracyOptionsSchema),
  language: Type.Optional(LanguageOptionsSchema),
  reasoning_steps: Type.Optional(ReasoningStepsOptionsSchema),
  repetition: Type.Optional(RepetitionOptionsSchema),
  cosine: Type.Optional(CosineOptionsSchema),
  overlong: Type.Optional(OverlongOptionsSchema),
  length: Type.Optional(LengthOptionsSchema)
}, { ...strict, description: 'Reward components. format and accuracy are on by default (weight 1 each); the others are off unless named.' })

export const AdvantageOptionsSchema = Type.Object({
  scale: Type.Optional(Type.Union([Type.Literal('group'), Type.Literal('dr_grpo'), Type.Literal('batch'), Type.Literal('none')], { default: 'group' })),
  eps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 1e-4, description: 'Added to the std before dividing (> 0: with 0, a group of equal rewards would divide 0 by 0).' }))
}, strict)

export const MathReferenceSchema = Type.Object({
  type: Type.Literal('math'),
  answer: Type.String({ minLength: 1, description: 'Gold answer, LaTeX or plain text (a \\boxed{} wrapper is allowed).' })
}, strict)

export const NoReferenceSchema = Type.Object({
  type: Type.Literal('none')
}, { ...strict, description: 'No reference: the accuracy component (and those built on it) is not computed.' })

/**
 * A union told apart by its `type` field (ajv `discriminator`): validation reports errors of the branch the
 * request named, or an unknown `type`, instead of every branch's complaints.
 */
export function taggedUnion<T extends TSchema[]> (branches: [...T], description?: string): TUnsafe<Static<T[number]>> {
  return Type.Unsafe<Static<T[number]>>({ type: 'object', oneOf: branches, discriminator: { propertyName: 'type' }, ...(description === undefined ? {} : { description }) })
}

export const ReferenceSchema = taggedUnion([MathReferenceSchema, CodeReferenceSchema, NoReferenceSchema], 'What the completions are checked against, by `type`: a math answer, code tests run in the sandboxes, or none.')

export const GroupSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 512 }),
  prompt: Type.Optional(Type.String()),
  reference: ReferenceSchema,
  completions: Type.Array(Type.String(), { minItems: 1 }),
  length_tokens: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 1e9 }), { description: 'Token count of each completion, for the length-based rewards.' })),
  category: Type.Optional(Type.String({ maxLength: 256 })),
  metadata: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'Echoed back untouched.' }))
}, strict)

export const ScoreRequestSchema = Type.Object({
  groups: Type.Array(GroupSchema, { minItems: 1 }),
  rewards: Type.Optional(RewardsOptionsSchema),
  advantages: Type.Optional(AdvantageOptionsSchema)
}, strict)

const Status = Type.Union([Type.Literal('ok'), Type.Literal('unscorable'), Type.Literal('timeout'), Type.Literal('error')])

export const ComponentResultSchema = Type.Object({
  score: Type.Union([Type.Number(), Type.Null()]),
  status: Status,
  reason: Type.Optional(Type.String()),
  details: Type.Optional(Type.Object({}, { additionalProperties: true }))
})

export const CompletionResultSchema = Type.Object({
  reward: Type.Union([Type.Number(), Type.Null()], { description: 'Weighted sum of the components that scored; null when accuracy is null.' }),
  status: Status,
  reason: Type.Optional(Type.String()),
  components: Type.Record(Type.String(), ComponentResultSchema)
})

export const GroupStatsSchema = Type.Object({
  mean: Type.Union([Type.Number(), Type.Null()]),
  std: Type.Union([Type.Number(), Type.Null()]),
  count: Type.Integer()
})

export const GroupResultSchema = Type.Object({
  id: Type.String(),
  results: Type.Array(CompletionResultSchema),
  advantages: Type.Array(Type.Number()),
  stats: GroupStatsSchema,
  metadata: Type.Optional(Type.Object({}, { additionalProperties: true }))
})

export const ScoreReplySchema = Type.Object({
  groups: Type.Array(GroupResultSchema),
  reward_version: Type.String(),
  config_hash: Type.String({ description: 'Hash of the effective reward and advantage configuration.' })
})

export type ScoreRequest = Static<typeof ScoreRequestSchema>
export type Group = Static<typeof GroupSchema>
export type Reference = Static<typeof ReferenceSchema>
export type RewardsOptions = Static<typeof RewardsOptionsSchema>
export type AdvantageOptions = Static<typeof AdvantageOptionsSchema>
export type ScoreReply = Static<typeof ScoreReplySchema>
export type GroupResult = Static<typeof GroupResultSchema>
export type CompletionResult = Static<typeof CompletionResultSchema>
