/** Trainer side: POST /v1/trainer/lease | ack | extend | nack, per run, over the Redis lease store. */
import { ErrorReplySchema } from '../schemas/error.ts'
import { LeaseRequestSchema, LeaseReplySchema, AckRequestSchema, AckReplySchema, ExtendRequestSchema, ExtendReplySchema, NackReplySchema } from '../schemas/queue.ts'
import type { App } from '../services.ts'
import type { Pipeline } from '../../queue/pipeline.ts'
import { runOfLease } from '../../queue/names.ts'
import { requireRun } from '../plugins/auth.ts'
import type { FastifyRequest } from 'fastify'

const base = { 400: ErrorReplySchema, 401: ErrorReplySchema, 403: ErrorReplySchema, 415: ErrorReplySchema, 500: ErrorReplySchema, 503: ErrorReplySchema }
const access = { access: 'trainer' as const }

/** A lease id names its run (`<run>.<uuid>`): a key acks, extends and gives back only leases of its runs. */
function requireLeaseRun (request: FastifyRequest, lease: string): void {
  const run = runOfLease(lease)
  if (run !== null) requireRun(request, 'trainer', run)
}
const settled = { ...base, 404: ErrorReplySchema, 409: ErrorReplySchema }

export function trainerRoutes (app: App, pipeline: Pipeline): void {
  app.post('/v1/trainer/lease', {
    schema: {
      tags: ['trainer'],
      summary: 'Lease up to max_groups scored groups of a run for lease_ms.',
      description: 'Groups come in publish order. A lease not acked in time is delivered again; an acked group never is. ' +
        'Groups older than min_policy_version are dropped and counted. wait_ms long-polls for at least one group; ' +
        'when none comes, lease is null and groups empty.',
      body: LeaseRequestSchema,
      response: { 200: LeaseReplySchema, ...base }
    },
    config: access
  }, async (request, reply) => {
    requireRun(request, 'trainer', request.body.run ?? 'default')
    const text = await pipeline.lease(request.body)
    return await reply.type('application/json; charset=utf-8').send(text as never) // JSON text built by the pipeline (group JSON spliced in, not re-serialised)
  })

  app.post('/v1/trainer/ack', {
    schema: {
      tags: ['trainer'],
      summary: 'Ack a lease: its groups are done and never delivered again. 409 lease_expired when it ran out first.',
      body: AckRequestSchema,
      response: { 200: AckReplySchema, ...settled }
    },
    config: access
  }, async (request) => {
    requireLeaseRun(request, request.body.lease)
    return { acked: await pipeline.settle('ack', request.body.lease) }
  })

  app.post('/v1/trainer/extend', {
    schema: {
      tags: ['trainer'],
      summary: 'Extend a live lease to lease_ms from now. 409 lease_expired when it already ran out.',
      body: ExtendRequestSchema,
      response: { 200: ExtendReplySchema, ...settled }
    },
    config: access
  }, async (request) => {
    requireLeaseRun(request, request.body.lease)
    return { lease: request.body.lease, expires_at: await pipeline.settle('extend', request.body.lease, request.body.lease_ms) }
  })

  app.post('/v1/trainer/nack', {
    schema: {
      tags: ['trainer'],
      summary: 'Give a lease back now: its groups go to the front of the run for another trainer.',
      body: AckRequestSchema,
      response: { 200: NackReplySchema, ...settled }
    },
    config: access
  }, async (request) => {
    requireLeaseRun(request, request.body.lease)
    return { released: await pipeline.settle('nack', request.body.lease) }
  })
}
