/**
 * POST /get_reward: OpenRLHF's remote reward protocol (`--remote_rm_url http://host:port/get_reward`).
 *
 * `{query, prompts?, labels?}` → `{rewards, scores, extra_logs}`. `query[i]` is the prompt followed by the
 * response, so `prompts[i]` is stripped from its front before scoring (when it is not a prefix, the whole query
 * is scored and `extra_logs.prompt_mismatch[i]` is 1). `labels[i]` is any JSON value, as the dataset has it: a
 * number or a string is a math reference answer (passed to the math verifier as text: `72`, `"#### 72"`), an
 * object with a `type` (`math`, `code`, `none`), or a string holding one as JSON, is that reference. A missing,
 * null or empty label is `{type: 'none'}` (format and the other components only). The reward configuration is
 * GET_REWARD_REWARDS (the `rewards` options of /v1/score as JSON) or the service's default (format + accuracy).
 * The trailing end tokens OpenRLHF leaves on each query (it decodes with skip_special_tokens=False) are removed by
 * the scorer (format's `strip_tokens`), as on every endpoint.
 *
 * The reply is written by floatJson: every number is a float in the JSON text (`2.0`, never `2`), because Python
 * reads `2` as an int and torch then builds int64 tensors (OpenRLHF's group std fails on them). `extra_logs` has
 * the same keys in every reply (every enabled component, unscorable, prompt_mismatch), whatever the labels:
 * OpenRLHF HEAD posts one sample per request and concatenates the per-sample dicts key by key.
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
import { admitWork, workOfGroups } from '../admission.ts'
import { MathReferenceSchema, NoReferenceSchema, RewardsOptionsSchema, type Reference, type RewardsOptions, type Group } from '../../scoring/schema.ts'
import { COMPONENTS, resolveOptions } from '../../scoring/options.ts'
import { floatJson } from '../../lib/float-json.ts'
import { CodeReferenceSchema } from '../../rewards/code/schema.ts'
import type { Config } from '../../config/schema.ts'
import type { App, Services } from '../services.ts'

export const GetRewardRequestSchema = Type.Object({
  query: Type.Array(Type.String(), { minItems: 1, description: 'Prompt followed by the response, one per sample.' }),
  prompts: Type.Optional(Type.Array(Type.String(), { description: 'The prompt of each query, stripped from its front before scoring.' })),
  labels: Type.Optional(Type.Array(Type.Unknown({
    description: 'Any JSON value: a number or string is a math reference answer (as text); an object {"type": "math" | "code" | "none", ...}, or a string holding one, names another reference; null or empty: no reference.'
  }), {
    description: 'One label per query, of any JSON type, as the dataset has it.'
  }))
}, { additionalProperties: true, description: 'OpenRLHF remote reward request; unknown keys are ignored.' })

const Float = Type.Number({ format: 'double', description: 'Always written with a fraction or an exponent (2.0, not 2), never NaN or Infinity.' })

export const GetRewardReplySchema = Type.Object({
  rewards: Type.Array(Float, { description: 'Total reward per sample, a float; never null (GET_REWARD_FALLBACK stands in).' }),
  scores: Type.Array(Float, { description: 'Accuracy score per sample when it scored, else the reward; a float.' }),
  extra_logs: Type.Record(Type.String(), Type.Array(Float), {
    description: 'Per-sample float lists with the same keys in every reply: each enabled component (0.0 when not computed), unscorable (0.0/1.0), prompt_mismatch (0.0/1.0).'
  })
}, { description: 'Every number in this reply is a JSON float in the text (`2.0`, not `2`), so Python (json, requests, aiohttp) reads floats and torch builds float tensors.' })

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

/**
 * The reference a label names: a JSON object with a `type` (given as an object or as JSON text), else a math
 * answer (numbers and booleans as their JSON text, other arrays and objects as JSON text); null or empty: none.
 */
export function labelReference (label: unknown, index: number): Reference {
  if (label === null || label === undefined) return { type: 'none' }
  if (typeof label === 'number') {
    if (!Number.isFinite(label)) throw withField(new errors.RequestInvalid(`/labels/${index} is not a finite number`), `/labels/${index}`)
    return { type: 'math', answer: String(label) }
  }
  if (typeof label === 'object' && !Array.isArray(label) && typeof (label as { type?: unknown }).type === 'string') return typedReference(label, index)
  if (typeof label !== 'string') return { type: 'math', answer: JSON.stringify(label) }
  if (label.trim() === '') return { type: 'none' }
  const text = label.trim()
  if (text.startsWith('{') && text.endsWith('}')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined // not JSON: a math answer such as {1, 2}
    }
    if (parsed !== null && typeof parsed === 'object' && typeof (parsed as { type?: unknown }).type === 'string') return typedReference(parsed, index)
  }
  return { type: 'math', answer: text }
}

function typedReference (parsed: object, index: number): Reference {
  const type = (parsed as { type: string }).type
  const schema = type === 'math' ? MathReferenceSchema : type === 'code' ? CodeReferenceSchema : type === 'none' ? NoReferenceSchema : undefined
  if (schema === undefined) throw withField(new errors.RequestInvalid(`/labels/${index} names reference type '${type}' (math | code | none)`), `/labels/${index}`)
  if (!Value.Check(schema, parsed)) {
    const first = Value.Errors(schema, parsed)[0]
    throw withField(new errors.RequestInvalid(`/labels/${index} is not a valid ${type} reference: ${first?.instancePath ?? ''} ${first?.message ?? ''}`.trim()), `/labels/${index}`)
  }
  return parsed as Reference
}

export function getRewardRoutes (app: App, services: Services): void {
  const { config } = services
  const rewards = getRewardOptions(config)
  const fallback = config.GET_REWARD_FALLBACK
  // The extra_logs keys: every component these options compute, in reply order, whatever the labels.
  const effective = resolveOptions(rewards)
  const names = COMPONENTS.filter(name => effective.rewards[name] !== undefined)
  const accuracy = effective.rewards.accuracy !== undefined
  const float = (x: number | null | undefined): number => x !== null && x !== undefined && Number.isFinite(x) ? x : fallback

  app.post('/get_reward', {
    schema: {
      tags: ['score'],
      summary: "OpenRLHF's remote reward protocol: {query, prompts, labels} → {rewards, scores, extra_logs}.",
      description: 'For `--remote_rm_url`. prompts[i] is stripped from the front of query[i]; labels[i] is a math answer or a JSON ' +
        'reference ({"type": "code", ...}). Never a null reward: unscorable items get GET_REWARD_FALLBACK and extra_logs.unscorable = 1. ' +
        'Every number in the reply is written as a JSON float (2.0, not 2). extra_logs has the same keys in every reply. ' +
        'Trailing end tokens (<|im_end|>, </s>, ...) are removed before scoring (format.strip_tokens in GET_REWARD_REWARDS). ' +
        'Batches up to GET_REWARD_MAX_BATCH queries and GET_REWARD_BODY_LIMIT_BYTES. Goes through the same admission as /v1/score: ' +
        '429 + Retry-After when this key\'s backlog on the math or code pool would wait past ADMISSION_MAX_WAIT_MS. With auth on, an API key with the score scope: a bearer key, or the URL userinfo ' +
        '(--remote_rm_url http://rv:KEY@host:8080/get_reward, sent as Basic auth).',
      body: GetRewardRequestSchema,
      response: { 200: GetRewardReplySchema, ...errorReplies, 401: ErrorReplySchema, 403: ErrorReplySchema, 429: ErrorReplySchema }
    },
    bodyLimit: config.GET_REWARD_BODY_LIMIT_BYTES,
    config: { bodyLimitKey: 'GET_REWARD_BODY_LIMIT_BYTES', access: 'score' }
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
    // the same admission as /v1/score: the code budget (413 naming /labels) and the gates (429 + Retry-After)
    const release = admitWork(services, request, workOfGroups(groups, accuracy, config, '/labels'))
    let reply
    try {
      reply = await services.scorer.score(rewards === undefined ? { groups } : { groups, rewards }, clientSignal(res), tenantOf(request))
    } finally {
      release()
    }
    services.metrics.completionsScored.inc(n)
    const out: GetRewardReply = { rewards: [], scores: [], extra_logs: {} }
    const logs: Record<string, number[]> = {}
    for (const name of names) logs[name] = []
    const unscorable: number[] = []
    reply.groups.forEach((g) => {
      const result = g.results[0]
      const reward = result?.reward
      const scored = reward !== null && reward !== undefined && Number.isFinite(reward)
      out.rewards.push(float(reward))
      const accuracy = result?.components.accuracy?.score
      out.scores.push(accuracy !== null && accuracy !== undefined && Number.isFinite(accuracy) ? accuracy : float(reward))
      unscorable.push(scored ? 0 : 1)
      for (const name of names) {
        const score = result?.components[name]?.score
        logs[name]?.push(score !== null && score !== undefined && Number.isFinite(score) ? score : 0)
      }
    })
    out.extra_logs = { ...logs, unscorable, prompt_mismatch: mismatch }
    // Floats in the JSON text (2.0, not 2): the reply schema documents it, floatJson writes it.
    return await res.type('application/json; charset=utf-8').serializer(floatJson).send(out)
  })
}
