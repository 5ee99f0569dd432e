/** POST /v1/score: a batch of groups → per-completion rewards, components, group advantages and stats. */
import { ScoreRequestSchema, ScoreReplySchema, type ScoreRequest } from '../../scoring/schema.ts'
import { errorReplies } from '../schemas/error.ts'
import { errors, withField } from '../../errors.ts'
import { isNative } from '../../sandbox/native/toolchains.ts'
import { callFunctionProblem } from '../../rewards/code/native-call.ts'
import { clientSignal } from '../client-signal.ts'
import type { Config } from '../../config/schema.ts'
import type { App, Services } from '../services.ts'
import { resolveOptions } from '../../scoring/options.ts'
import { admitWork, checkMetadataDepth, workOfGroups } from '../admission.ts'
import { tenantOf } from '../plugins/auth.ts'
import { STREAM_ABOVE, resultCount, scoreReplyStream } from '../reply-stream.ts'
import { ErrorReplySchema } from '../schemas/error.ts'

/** Requests with more groups than this give the event loop a turn between their synchronous steps. */
const LARGE_GROUPS = 512
const yieldNow = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

export function scoreRoutes (app: App, services: Services): void {
  app.post('/v1/score', {
    schema: {
      tags: ['score'],
      summary: 'Score groups of completions and compute GRPO advantages.',
      description: 'One result per completion, in order. format and accuracy are on by default (weight 1 each); ' +
        'a null reward means accuracy could not be judged (unscorable, timeout or error) and is never a 0.',
      body: ScoreRequestSchema,
      response: { 200: ScoreReplySchema, ...errorReplies, 401: ErrorReplySchema, 403: ErrorReplySchema, 429: ErrorReplySchema }
    },
    config: { access: 'score' }
  }, async (request, res) => {
    const large = request.body.groups.length > LARGE_GROUPS
    if (large) await yieldNow() // validation of a large body had this turn of the event loop
    checkScoreLimits(request.body, services.config)
    const work = workOfGroups(request.body.groups, resolveOptions(request.body.rewards).rewards.accuracy !== undefined, services.config)
    const release = admitWork(services, request, work)
    let reply
    try {
      if (large) await yieldNow()
      reply = await services.scorer.score(request.body, clientSignal(res), tenantOf(request))
    } finally {
      release()
    }
    const n = resultCount(reply)
    services.metrics.completionsScored.inc(n)
    if (n > STREAM_ABOVE) return await res.type('application/json; charset=utf-8').send(scoreReplyStream(reply) as never) // JSON text of ScoreReplySchema, streamed
    return reply
  })
}

/** Limits the schema cannot express: configured sizes (413) and cross-field consistency (400). */
export function checkScoreLimits (body: ScoreRequest, config: Config): void {
  if (body.groups.length > config.MAX_GROUPS_PER_REQUEST) {
    throw withField(new errors.RequestTooLarge(`${body.groups.length} groups exceed MAX_GROUPS_PER_REQUEST (${config.MAX_GROUPS_PER_REQUEST})`), '/groups')
  }
  let total = 0
  const ids = new Set<string>()
  body.groups.forEach((g, gi) => {
    total += g.completions.length
    if (ids.has(g.id)) throw withField(new errors.RequestInvalid(`/groups/${gi}/id '${g.id}' repeats an earlier group id`), `/groups/${gi}/id`)
    ids.add(g.id)
    if (g.length_tokens !== undefined && g.length_tokens.length !== g.completions.length) {
      throw withField(new errors.RequestInvalid(`/groups/${gi}/length_tokens has ${g.length_tokens.length} entries for ${g.completions.length} completions`), `/groups/${gi}/length_tokens`)
    }
    const ref = g.reference
    if (ref.type === 'code' && ref.tests.type === 'script' && isNative(ref.language) && ref.allow_cooperative !== true) {
      throw withField(new errors.RequestInvalid(`/groups/${gi}/reference: script tests in ${ref.language} run inside the solution's own process, which can forge their verdict (trust cooperative); set allow_cooperative: true to accept that, or use stdio tests`), `/groups/${gi}/reference/allow_cooperative`)
    }
    const problem = ref.type === 'code' && ref.tests.type === 'call' && isNative(ref.language) ? callFunctionProblem(ref.language, ref.tests.function) : null
    if (problem !== null) throw withField(new errors.RequestInvalid(`/groups/${gi}/reference/tests/function: ${problem}`), `/groups/${gi}/reference/tests/function`)
    g.completions.forEach((c, ci) => {
      if (c.length > config.MAX_COMPLETION_CHARS) {
        throw withField(new errors.RequestTooLarge(`/groups/${gi}/completions/${ci} has ${c.length} characters, over MAX_COMPLETION_CHARS (${config.MAX_COMPLETION_CHARS})`), `/groups/${gi}/completions/${ci}`)
      }
    })
  })
  if (total > config.MAX_COMPLETIONS_PER_REQUEST) {
    throw withField(new errors.RequestTooLarge(`${total} completions exceed MAX_COMPLETIONS_PER_REQUEST (${config.MAX_COMPLETIONS_PER_REQUEST})`), '/groups')
  }
  checkMetadataDepth(body.groups, config)
}
