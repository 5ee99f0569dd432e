/** Every route of the Redis pipeline: rollouts in, trainer leases out, the queue dashboard. */
import type { App, Services } from '../services.ts'
import { rolloutRoutes } from './rollouts.ts'
import { trainerRoutes } from './trainer.ts'
import { adminQueueRoutes } from './admin-queues.ts'

export async function queueRoutes (app: App, services: Services): Promise<void> {
  const pipeline = services.pipeline
  if (pipeline === undefined) throw new Error('queueRoutes needs services.pipeline')
  rolloutRoutes(app, services, pipeline)
  trainerRoutes(app, pipeline)
  await adminQueueRoutes(app, services.config, pipeline)
}
