/**
 * POST /get_reward: OpenRLHF's remote reward protocol (`--remote_rm_url http://host:port/get_reward`).
 *
 * `{query, prompts?, labels?}` → `{rewards, scores, extra_logs}`. `query[i]` is the prompt followed by the
 * response, so `prompts[i]` is stripped from its front before scoring (when it is not a prefix, the whole query
 * is scored and `extra_logs.prompt_mismatch[i]` is 1). `labels[i]` is a math reference answer, unless it is a
 * JSON object with a `type` (`math`, `code`, `none`): then it is that reference. A missing or empty label is
 * `{type: 'none'}` (format and the other components only). The reward configuration is GET_REWARD_REWARDS (the
 * `rewards` options of /v1/score as JSON) or the service's default (format + accuracy).
 *
 * `rewards` never holds a null (OpenRLHF cannot take one): an item whose reward is null (unscorable, timeout,
 * error) gets GET_REWARD_FALLBACK and `extra_logs.unscorable[i]` = 1. `scores` (OpenRLHF's 0-1 score for dynamic
 * filtering) is the accuracy component when it scored, else the reward (the fallback when null). `extra_logs`
 * holds one list per component (a null component logs 0) plus `unscorable` and `prompt_mismatch`, each as long
 * as the batch, as OpenRLHF concatenates them per sample.
 */
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { ErrorReplySchema, errorReplies } from '../schemas/error.ts'
import { errors, withField } from '../../errors.ts'
import { clientSignal } from '../client-signal.ts'
import { tenantOf } from '../plugins/auth.ts'
import { MathReferenceSchema, NoReferenceSchema, RewardsOptionsSchema, type Reference, type RewardsOptions, type Group } from '../../scoring/schema.ts'
import { CodeReferenceSchema } from '../../rewards/code/schema.ts'
import type { Config } from '../../config/schema.ts'
import type { App, Services } from '../services.ts'

export const GetRewardRequestSchema = Type.Object({
  query: Type.Array(Type.String(), { minItems: 1, description: 'Prompt followed by the response, one per sample.' }),
  prompts: Type.Optional(Type.Array(Type.String(), { description: 'The prompt of each query, stripped from its front before scoring.' })),
  labels: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Null()]), {
    description: 'A math reference answer per sample, or a JSON object {"type": "math" | "code" | "none", ...} naming another reference; empty or null: no reference.'
  }))
}, { additionalProperties: true, description: 'OpenRLHF remote reward request; unknown keys are ignored.' })

export const GetRewardReplySchema = Type.Object({
  rewards: Type.Array(Type.Number(), { description: 'Total reward per sample; never null (GET_REWARD_FALLBACK stands in).' }),
  scores: Type.Array(Type.Number(), { description: 'Accuracy score per sample when it scored, else the reward.' }),
  extra_logs: Type.Record(Type.String(), Type.Array(Type.Number()), { description: 'Per-sample lists: each component, unscorable (0/1), prompt_mismatch (0/1).' })
})

export type GetRewardRequest = Static<typeof GetRewardRequestSchema>
export type GetRewardReply = Static<typeof GetRewardReplySchema>

/** The configured reward options (GET_REWARD_REWARDS), checked once; undefined means the service's defaults. */
export function getRewardOptions (config: Config): RewardsOptions | undefined {
  const text = config.GET_REWARD_REWARDS.trim()
  if (text === '') return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new errors.ConfigInvalid('GET_REWARD_REWARDS', `not JSON: ${(err as Error).message}`)
  }
  if (!Value.Check(RewardsOptionsSchema, parsed)) {
    const first = Value.Errors(RewardsOptionsSchema, parsed)[0]
    throw new errors.ConfigInvalid('GET_REWARD_REWARDS', `${first?.instancePath ?? ''} ${first?.message ?? 'does not match the rewards options of /v1/score'}`)
  }
  return parsed
}

/** The reference a label names: a JSON object with a `type`, else a math answer; empty or null: none. */
export function labelReference (label: string | null | undefined, index: number): Reference {
  if (label === null || label === undefined || label.trim() === '') return { type: 'none' }
  const text = label.trim()
  if (text.startsWith('{') && text.endsWith('}')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined // not JSON: a math answer such as {1, 2}
    }
    if (parsed !== null && typeof parsed === 'object' && typeof (parsed as { type?: unknown }).type === 'string') {
      const type = (parsed as { type: string }).type
      const schema = type === 'math' ? MathReferenceSchema : type === 'code' ? CodeReferenceSchema : type === 'none' ? NoReferenceSchema : undefined
      if (schema === undefined) throw withField(new errors.RequestInvalid(`/labels/${index} names reference type '${type}' (math | code | none)`), `/labels/${index}`)
      if (!Value.Check(schema, parsed)) {
        const first = Value.Errors(schema, parsed)[0]
        throw withField(new errors.RequestInvalid(`/labels/${index} is not a valid ${type} reference: ${first?.instancePath ?? ''} ${first?.message ?? ''}`.trim()), `/labels/${index}`)
      }
      return parsed as Reference
    }
  }
  return { type: 'math', answer: text }
}

export function getRewardRoutes (app: App, services: Services): void {
  const { config } = services
  const rewards = getRewardOptions(config)
  const fallback = config.GET_REWARD_FALLBACK

  app.post('/get_reward', {
    schema: {
      tags: ['score'],
      summary: "OpenRLHF's remote reward protocol: {query, prompts, labels} → {rewards, scores, extra_logs}.",
      description: 'For `--remote_rm_url`. prompts[i] is stripped from the front of query[i]; labels[i] is a math answer or a JSON ' +
        'reference ({"type": "code", ...}). Never a null reward: unscorable items get GET_REWARD_FALLBACK and extra_logs.unscorable = 1. ' +
        'Batches up to GET_REWARD_MAX_BATCH. With auth on, an API key with the score scope: a bearer key, or the URL userinfo ' +
        '(--remote_rm_url http://rv:KEY@host:8080/get_reward, sent as Basic auth).',
      body: GetRewardRequestSchema,
      response: { 200: GetRewardReplySchema, ...errorReplies, 401: ErrorReplySchema, 403: ErrorReplySchema }
    },
    config: { access: 'score' }
  }, async (request, res) => {
    const { query, prompts, labels } = request.body
    const n = query.length
    if (n > config.GET_REWARD_MAX_BATCH) {
      throw withField(new errors.RequestTooLarge(`${n} queries exceed GET_REWARD_MAX_BATCH (${config.GET_REWARD_MAX_BATCH})`), '/query')
    }
    if (prompts !== undefined && prompts.length !== n) throw withField(new errors.RequestInvalid(`/prompts has ${prompts.length} entries for ${n} queries`), '/prompts')
    if (labels !== undefined && labels.length !== n) throw withField(new errors.RequestInvalid(`/labels has ${labels.length} entries for ${n} queries`), '/labels')
    const mismatch: number[] = []
    const groups: Group[] = query.map((q, i) => {
      if (q.length > config.MAX_COMPLETION_CHARS) {
        throw withField(new errors.RequestTooLarge(`/query/${i} has ${q.length} characters, over MAX_COMPLETION_CHARS (${config.MAX_COMPLETION_CHARS})`), `/query/${i}`)
      }
      const prompt = prompts?.[i]
      const strip = prompt !== undefined && q.startsWith(prompt)
      mismatch.push(prompt !== undefined && !strip ? 1 : 0)
      const group: Group = { id: String(i), reference: labelReference(labels?.[i], i), completions: [strip ? q.slice(prompt.length) : q] }
      if (prompt !== undefined) group.prompt = prompt
      return group
    })
    const reply = await services.scorer.score(rewards === undefined ? { groups } : { groups, rewards }, clientSignal(res), tenantOf(request))
    services.metrics.completionsScored.inc(n)
    const out: GetRewardReply = { rewards: [], scores: [], extra_logs: {} }
    const names = new Set<string>()
    for (const g of reply.groups) for (const name of Object.keys(g.results[0]?.components ?? {})) names.add(name)
    for (const name of names) out.extra_logs[name] = []
    out.extra_logs.unscorable = []
    out.extra_logs.prompt_mismatch = mismatch
    reply.groups.forEach((g) => {
      const result = g.results[0]
      const reward = result?.reward ?? null
      out.rewards.push(reward ?? fallback)
      const accuracy = result?.components.accuracy?.score
      out.scores.push(accuracy ?? reward ?? fallback)
      out.extra_logs.unscorable?.push(reward === null ? 1 : 0)
      for (const name of names) out.extra_logs[name]?.push(result?.components[name]?.score ?? 0)
    })
    return out
  })
}
