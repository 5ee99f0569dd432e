/**
 * GET /admin/queues: the queue dashboard (bull-board) over the rollout queue: waiting, active, completed,
 * failed (exhausted retries stay visible here), with their payloads and errors. ADMIN_QUEUES=read-only (the
 * default) shows without retry/clean/remove buttons; off removes the dashboard. The queue is attached on
 * the first request that finds Redis; without Redis the dashboard answers 503 like the other queue routes.
 */
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { FastifyAdapter } from '@bull-board/fastify'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config/schema.ts'
import type { Pipeline } from '../../queue/pipeline.ts'
import type { App } from '../services.ts'

export const ADMIN_QUEUES_PATH = '/admin/queues'

export async function adminQueueRoutes (app: App, config: Config, pipeline: Pipeline): Promise<void> {
  if (config.ADMIN_QUEUES === 'off') return
  const serverAdapter = new FastifyAdapter()
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH)
  const board = createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle: 'reward-verifier' } } })
  let attached = false
  await app.register(async (scope: FastifyInstance) => {
    scope.addHook('onRequest', async (_request, reply) => {
      if (attached) return
      try {
        const { queues } = await pipeline.guard(async () => await pipeline.producer.getQueues())
        if (!attached) {
          // one card per partition (bull-board keys queues by name: the partition number makes them distinct)
          queues.forEach((queue, i) => board.addQueue(new BullMQAdapter(queue, { readOnlyMode: config.ADMIN_QUEUES !== 'read-write', prefix: `p${i + 1}/`, displayName: 'rollouts', description: `rollouts to score, partition ${i + 1} of ${queues.length} (prefix ${queue.opts.prefix ?? ''})` })))
          attached = true
        }
      } catch (err) {
        const e = err as { code?: string, message: string }
        return await reply.code(503).header('retry-after', '1').send({ statusCode: 503, code: e.code ?? 'RWD_ERR_QUEUE_UNAVAILABLE', error: 'Service Unavailable', message: e.message })
      }
    })
    await scope.register(serverAdapter.registerPlugin() as never, { prefix: ADMIN_QUEUES_PATH })
  })
}
