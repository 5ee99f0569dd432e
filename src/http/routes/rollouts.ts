/** POST /v1/rollouts (202 {id}; idempotent on id) and GET /v1/rollouts/:id (state, progress, result; ?wait=ms). */
import { ErrorReplySchema, errorReplies } from '../schemas/error.ts'
import { RolloutRequestSchema, RolloutAcceptedSchema, RolloutStatusSchema, RolloutParamsSchema, RolloutQuerySchema } from '../schemas/queue.ts'
import { errors } from '../../errors.ts'
import { checkScoreLimits } from './score.ts'
import type { App, Services } from '../services.ts'
import type { Pipeline } from '../../queue/pipeline.ts'
import { requireRun } from '../plugins/auth.ts'
import { sha256Hex } from '../../lib/hash.ts'

const forbidden = { 401: ErrorReplySchema, 403: ErrorReplySchema }

export function rolloutRoutes (app: App, services: Services, pipeline: Pipeline): void {
  const { config } = services
  // Groups are capped by ROLLOUT_MAX_GROUPS, completions by ROLLOUT_BODY_LIMIT_BYTES here, not by /v1/score's batch caps.
  const limits = { ...config, MAX_GROUPS_PER_REQUEST: config.ROLLOUT_MAX_GROUPS, MAX_COMPLETIONS_PER_REQUEST: Number.MAX_SAFE_INTEGER }
  // The run a rollout id was submitted to, so GET /v1/rollouts/:id answers only keys of that run.
  const ownerKey = (id: string): string => `${config.QUEUE_PREFIX}:owner:${sha256Hex(id).slice(0, 40)}`

  app.post('/v1/rollouts', {
    bodyLimit: config.ROLLOUT_BODY_LIMIT_BYTES,
    schema: {
      tags: ['queue'],
      summary: 'Submit rollouts for asynchronous scoring; the scored groups go to trainers by lease.',
      description: 'The body of /v1/score plus `id` (idempotency key), `run` and `policy_version`. 202 {id}; the same id ' +
        'with the same body answers 202 again and creates nothing; with a different body, 409. Bodies up to ' +
        'ROLLOUT_BODY_LIMIT_BYTES (gzip accepted), at most ROLLOUT_MAX_GROUPS groups, metadata nested at most METADATA_MAX_DEPTH deep. ' +
        '429 with Retry-After over QUEUE_MAX_DEPTH; 503 when Redis is unreachable (or, on a cluster, no replica confirmed the write in time).',
      body: RolloutRequestSchema,
      response: { 202: RolloutAcceptedSchema, ...errorReplies, ...forbidden, 409: ErrorReplySchema, 429: ErrorReplySchema }
    },
    config: { access: 'rollouts' }
  }, async (request, reply) => {
    const run = request.body.run ?? 'default'
    requireRun(request, 'rollouts', run)
    checkScoreLimits(request.body, limits)
    try {
      const outcome = await pipeline.guard(async () => await pipeline.producer.submit(request.body))
      await pipeline.guard(async () => await (await pipeline.link.require()).set(ownerKey(request.body.id), run, 'EX', config.ROLLOUT_IDEMPOTENCY_TTL_S, 'NX'))
      pipeline.metrics.rollouts.inc({ outcome })
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'RWD_ERR_ROLLOUT_CONFLICT') pipeline.metrics.rollouts.inc({ outcome: 'conflict' })
      if (code === 'RWD_ERR_QUEUE_FULL') pipeline.metrics.rollouts.inc({ outcome: 'full' })
      throw err
    }
    return await reply.code(202).send({ id: request.body.id })
  })

  app.get('/v1/rollouts/:id', {
    schema: {
      tags: ['queue'],
      summary: "A rollout's state, progress and (once completed) result, as /v1/score replies.",
      description: 'state: waiting | active | completed | failed. `?wait=ms` long-polls (up to WAIT_MAX_MS) until the rollout completes or fails.',
      params: RolloutParamsSchema,
      querystring: RolloutQuerySchema,
      response: { 200: RolloutStatusSchema, 400: ErrorReplySchema, ...forbidden, 404: ErrorReplySchema, 500: ErrorReplySchema, 503: ErrorReplySchema }
    },
    config: { access: 'rollouts' }
  }, async (request, reply) => {
    const wait = Math.min(Number(request.query.wait ?? 0), config.WAIT_MAX_MS)
    const owner = await pipeline.guard(async () => await (await pipeline.link.require()).get(ownerKey(request.params.id)))
    if (owner !== null) requireRun(request, 'rollouts', owner)
    // An id with no recorded owner long-polls only for a key that may read every run (else it answers at once).
    const mayWait = owner !== null || mayReadAllRuns(request)
    const text = await pipeline.guard(async () => await pipeline.producer.status(request.params.id, mayWait ? wait : 0))
    if (text === null) throw new errors.RolloutNotFound(JSON.stringify(request.params.id))
    // submitted before owners were recorded: only a key for every run (rollouts:*) may read it
    if (owner === null) requireRun(request, 'rollouts', '*')
    return await reply.type('application/json; charset=utf-8').send(text as never) // JSON text built by the pipeline (group JSON spliced in, not re-serialised)
  })
}

function mayReadAllRuns (request: Parameters<typeof requireRun>[0]): boolean {
  try { requireRun(request, 'rollouts', '*'); return true } catch { return false }
}
