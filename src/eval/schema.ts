/**
 * The eval contract in TypeBox: a scored group (a line of `reward-verifier score` output, or a /v1/score reply
 * group with its completions) and the metrics computed from a set of them. Shared by POST /v1/eval and the CLI.
 */
import { Type, type Static } from 'typebox'
import { CompletionResultSchema } from '../scoring/schema.ts'

const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()])
const Rate = Nullable(Type.Number({ minimum: 0, maximum: 1 }))
const ByK = Type.Record(Type.String({ pattern: '^[0-9]+$' }), Type.Union([Type.Number(), Type.Null()]), { description: 'Keyed by k; null where k exceeds the judged samples.' })

export const ScoredGroupSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 512 }),
  category: Type.Optional(Type.String({ maxLength: 256 })),
  reference: Type.Optional(Type.Object({ type: Type.String() }, { additionalProperties: true })),
  completions: Type.Optional(Type.Array(Type.String(), { description: 'For the response length (else length_tokens).' })),
  length_tokens: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }))),
  results: Type.Array(CompletionResultSchema, { minItems: 1, description: 'One scored result per completion, as /v1/score returns them.' })
}, { additionalProperties: true, description: 'A group as `reward-verifier score` writes it: the input group plus results (other fields are ignored).' })

export const EvalOptionsSchema = Type.Object({
  k: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 1_000_000 }), { minItems: 1, maxItems: 32, description: 'k values for pass@k and maj@k (default: powers of two up to the largest group, and that size).' })),
  histogram_bins: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20, description: 'Bins of the reward histogram.' }))
}, { additionalProperties: false })

export const EvalRequestSchema = Type.Object({
  groups: Type.Array(ScoredGroupSchema, { minItems: 1 }),
  ...EvalOptionsSchema.properties
}, { additionalProperties: false })

export const ProblemMetricsSchema = Type.Object({
  id: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  samples: Type.Integer({ description: 'Completions in the group.' }),
  judged: Type.Integer({ description: 'Samples whose accuracy is ok (n of pass@k); the rest were unscorable, timed out or errored.' }),
  correct: Type.Integer({ description: 'Judged samples with accuracy 1 (c of pass@k).' }),
  pass_at_1: Rate,
  pass_at_k: ByK,
  maj_at_k: ByK,
  majority_answer: Type.Union([Type.String(), Type.Null()], { description: 'Representative answer of the winning cluster over all judged samples (earliest on a tie).' }),
  clusters: Type.Integer({ description: 'Distinct answers after merging equivalent ones.' }),
  format_rate: Rate,
  mean_length_tokens: Nullable(Type.Number()),
  mean_reward: Nullable(Type.Number())
})

const KValueSchema = Type.Object({
  k: Type.Integer(),
  value: Nullable(Type.Number()),
  problems: Type.Integer({ description: 'Problems with at least k judged samples, over which value is the mean.' })
})

export const SummarySchema = Type.Object({
  problems: Type.Integer(),
  judged_problems: Type.Integer({ description: 'Problems with at least one judged sample.' }),
  samples: Type.Integer(),
  judged_samples: Type.Integer(),
  pass_at_1: Rate,
  pass_at_k: Type.Array(KValueSchema),
  maj_at_k: Type.Array(KValueSchema),
  format_rate: Rate,
  mean_length_tokens: Nullable(Type.Number()),
  mean_reward: Nullable(Type.Number())
})

export const CategoryMetricsSchema = Type.Object({
  category: Type.String({ description: "The group's category ('(none)' when absent)." }),
  problems: Type.Integer(),
  judged_problems: Type.Integer(),
  accuracy: Rate,
  pass_at_k: Type.Array(KValueSchema),
  maj_at_k: Type.Array(KValueSchema)
})

export const HistogramSchema = Type.Object({
  bins: Type.Array(Type.Object({ lo: Type.Number(), hi: Type.Number(), count: Type.Integer() })),
  null_count: Type.Integer({ description: 'Samples whose reward is null (not scored).' })
})

export const EvalReplySchema = Type.Object({
  k: Type.Array(Type.Integer()),
  overall: SummarySchema,
  categories: Type.Array(CategoryMetricsSchema),
  reward_histogram: HistogramSchema,
  problems: Type.Array(ProblemMetricsSchema)
})

export type ScoredGroup = Static<typeof ScoredGroupSchema>
export type ProblemMetrics = Static<typeof ProblemMetricsSchema>
export type Summary = Static<typeof SummarySchema>
export type CategoryMetrics = Static<typeof CategoryMetricsSchema>
export type Histogram = Static<typeof HistogramSchema>
export type EvalReply = Static<typeof EvalReplySchema>
export type KValue = Static<typeof KValueSchema>
